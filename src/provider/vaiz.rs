//! Vaiz: placeholder, being written.

use serde_json::Value;

use super::{ApiRequest, BadHeader, Provider, Settings};
use crate::credential::Secret;
use crate::profile::Profile;

pub struct Vaiz;

impl Provider for Vaiz {
    fn id(&self) -> &'static str {
        "vaiz"
    }

    fn name(&self) -> &'static str {
        "Vaiz"
    }

    fn docs_url(&self) -> &'static str {
        "https://example.invalid"
    }

    fn default_base_url(&self) -> Option<&'static str> {
        None
    }

    fn auth_header(&self) -> &'static str {
        "Authorization: Bearer <token>"
    }

    fn secret_fields(&self) -> &'static [&'static str] {
        &["x"]
    }

    fn request(&self, _settings: &Settings, secret: &Secret) -> Result<ApiRequest, BadHeader> {
        ApiRequest::get("todo").credential("authorization", "Bearer ", secret)
    }

    fn normalize(&self, _body: &Value, _settings: &Settings) -> Option<Profile> {
        None
    }
}
