//! Code specs (码规格): fields, file format, landing page, review flow, warnings.
