//! 消费者营销: campaigns and their wizard, campaign data, members, risk control, promotion codes.

pub mod campaign_preview;
pub mod campaign_wizard;
pub mod campaigns;
pub mod data;
pub mod members;
pub mod promotion;
pub mod risk;
