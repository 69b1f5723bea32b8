//! Code packages (码包): application, review states, batches.
