//! What the policy says about a LinkedIn account: what every part of the LinkedIn platform
//! shares.

use crate::account::Destination;
use crate::platform::spec::Limits;
use reqwest::Url;

pub const NAME: &str = "linkedin";
pub const DEFAULT_API: &str = "https://api.linkedin.com";

/// The `Linkedin-Version` sent unless the policy says otherwise. LinkedIn applies no version by
/// default and refuses a request without one; each monthly version lives at least a year
/// (`marketing/versioning`). 202607 (July 2026) is the newest version found in LinkedIn's
/// version listings when this was written (the versioning page itself showed 202603); set
/// `linkedin_version` on the account to move on before it is sunset.
pub const DEFAULT_VERSION: &str = "202607";

/// "commentary … 3000 characters" (`posts-api`); MultiImage takes 2 to 20 images
/// (`…/shares/multiimage-post-api`).
pub const LIMITS: Limits = Limits {
    max_characters: 3000,
    max_images: 20,
    max_bytes: None,
};

/// Where a LinkedIn account's requests go, and what the policy pins about it.
#[derive(Debug, Clone)]
pub struct Api {
    pub api: Url,
    /// The organization's URN, `urn:li:organization:123456`.
    pub organization: String,
    /// The `Linkedin-Version` header, YYYYMM (or YYYYMM.NN for a patch release).
    pub version: String,
}

impl Api {
    /// The organization's numeric id, the URN's last part.
    pub fn organization_id(&self) -> &str {
        self.organization.rsplit(':').next().unwrap_or_default()
    }
}

impl Destination for Api {
    fn host(&self) -> String {
        crate::platform::spec::host_of(&self.api)
    }

    fn pinned_id(&self) -> Option<&str> {
        Some(&self.organization)
    }
}
