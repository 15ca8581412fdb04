//! How a person's signed-in devices appear in answers.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SessionList {
    pub sessions: Vec<DeviceSession>,
}

/// A signed-in device.
#[derive(Serialize, ToSchema)]
pub struct DeviceSession {
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    /// The browser and system, as its User-Agent described them.
    pub client: String,
    /// Where it signed in from, shortened to its network (`203.0.113.x`).
    pub address: Option<String>,
    /// The name I gave this device, if any.
    pub name: Option<String>,
    /// Whether it is the session of this request.
    pub current: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DeviceRenamed {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DeviceSignedOut {
    /// Always 1.
    pub ended: u64,
    /// Whether it was this session (the cookie is then cleared).
    pub current: bool,
}

#[derive(Serialize, ToSchema)]
pub struct OtherDevicesSignedOut {
    /// How many sessions ended.
    pub ended: u64,
}
