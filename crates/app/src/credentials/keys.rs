//! The society's signing keys: generated on first start, their secret halves sealed
//! (XChaCha20-Poly1305) under a key-encryption key that never enters the database, and
//! kept per node for a few seconds so that a rotation on one node reaches the others.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use guildhall_credentials::{IssuerKey, PublicKey, did_web};
use secrecy::ExposeSecret;

use crate::config::CredentialsSettings;
use crate::error::{AppError, AppResult};
use crate::{Actor, App, Permission};

/// How long a node trusts its copy of the keys.
const KEYS_TTL: Duration = Duration::from_secs(15);

/// What signing and verifying need: the society's DID, the current key, every public key.
pub struct Issuing {
    pub did: String,
    pub current: IssuerKey,
    /// Every key, the current one first: the DID document's order.
    pub public: Vec<PublicKey>,
}

/// Where the key file is: as configured, else beside the SQLite database file, else in
/// `data/`.
fn key_file_path(settings: &CredentialsSettings, database_url: &str) -> String {
    if !settings.key_file.trim().is_empty() {
        return settings.key_file.trim().to_string();
    }
    let beside = database_url
        .strip_prefix("sqlite:")
        .map(|path| path.trim_start_matches("//").split('?').next().unwrap_or_default())
        .filter(|path| !path.is_empty() && !path.contains(":memory:"))
        .and_then(|path| std::path::Path::new(path).parent().map(|dir| dir.join("issuer-key.secret")));
    beside.map_or_else(|| "data/issuer-key.secret".to_string(), |p| p.display().to_string())
}

/// The key-encryption key, from the settings or the key file (made on first use).
pub(crate) fn key_encryption_key(settings: &CredentialsSettings, database_url: &str) -> AppResult<[u8; 32]> {
    let encoded = settings.key_secret.expose_secret().trim().to_string();
    let encoded =
        if encoded.is_empty() { read_or_create_key_file(&key_file_path(settings, database_url))? } else { encoded };
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded.trim())
        .map_err(|_| AppError::Internal("credentials key secret: not URL-safe base64".into()))?;
    bytes.try_into().map_err(|_| AppError::Internal("credentials key secret: must be 32 bytes".into()))
}

fn read_or_create_key_file(path: &str) -> AppResult<String> {
    let path = std::path::Path::new(path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::Internal(format!("credentials key file: cannot create {}: {e}", dir.display())))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            let secret = URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
            file.write_all(secret.as_bytes())
                .map_err(|e| AppError::Internal(format!("credentials key file {}: {e}", path.display())))?;
            tracing::info!(path = %path.display(), "created the key that seals the society's signing keys");
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(path)
                    .map_err(|e| AppError::Internal(format!("credentials key file {}: {e}", path.display())))?
                    .permissions()
                    .mode();
                if mode & 0o077 != 0 {
                    return Err(AppError::Internal(format!(
                        "credentials key file {} can be read by others (mode {:o}); run `chmod 600` on it",
                        path.display(),
                        mode & 0o777
                    )));
                }
            }
            std::fs::read_to_string(path)
                .map_err(|e| AppError::Internal(format!("credentials key file {}: {e}", path.display())))
        }
        Err(e) => Err(AppError::Internal(format!("credentials key file {}: {e}", path.display()))),
    }
}

pub(crate) fn random_bytes<const N: usize>() -> AppResult<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

/// Seals a secret key, bound to its public key (the associated data).
fn seal(kek: &[u8; 32], secret: &[u8; 32], public: &[u8; 32]) -> AppResult<String> {
    let cipher = XChaCha20Poly1305::new(kek.into());
    let nonce = random_bytes::<24>()?;
    let sealed = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: secret, aad: public })
        .map_err(|_| AppError::Internal("sealing a signing key failed".into()))?;
    Ok(URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat()))
}

fn unseal(kek: &[u8; 32], sealed: &str, public: &[u8; 32]) -> AppResult<[u8; 32]> {
    let wrong = || {
        AppError::Internal(
            "the society's signing key cannot be unsealed: is credentials.key_secret (or the key file) the one it was \
             sealed with?"
                .into(),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| wrong())?;
    if bytes.len() < 24 {
        return Err(wrong());
    }
    let (nonce, body) = bytes.split_at(24);
    let cipher = XChaCha20Poly1305::new(kek.into());
    let secret = cipher.decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: public }).map_err(|_| wrong())?;
    secret.try_into().map_err(|_| wrong())
}

/// A fresh Ed25519 key: its public half (URL-safe base64) and its secret half sealed
/// under the key-encryption key, as the database keeps them.
fn new_sealed_key(kek: &[u8; 32]) -> AppResult<(String, String)> {
    let secret = random_bytes::<32>()?;
    let public = IssuerKey::from_secret("new", &secret).public().bytes();
    Ok((URL_SAFE_NO_PAD.encode(public), seal(kek, &secret, &public)?))
}

impl App {
    pub(crate) fn key_encryption_key(&self) -> AppResult<[u8; 32]> {
        if let Some(kek) = self.issuer_kek.get() {
            return Ok(*kek);
        }
        let kek = key_encryption_key(&self.settings.credentials, &self.settings.database.url)?;
        Ok(*self.issuer_kek.get_or_init(|| kek))
    }

    /// The society's `did:web`, from its public URL.
    pub fn issuer_did(&self) -> AppResult<String> {
        did_web(&self.settings.server.public_url)
            .map_err(|e| AppError::Internal(format!("server.public_url cannot name the issuer: {e}")))
    }

    /// Makes sure the society has a signing key (the first start makes it), and that it
    /// can be unsealed: a wrong key-encryption key stops the server at start, not at the
    /// first credential.
    pub async fn ensure_issuer_key(&self) -> AppResult<()> {
        self.issuing_fresh().await.map(|_| ())
    }

    /// The keys as this node knows them (re-read every [`KEYS_TTL`]).
    pub(crate) async fn issuing(&self) -> AppResult<Arc<Issuing>> {
        if let Some((at, issuing)) = self.issuing.read().await.as_ref()
            && at.elapsed() < KEYS_TTL
        {
            return Ok(issuing.clone());
        }
        self.issuing_fresh().await
    }

    async fn issuing_fresh(&self) -> AppResult<Arc<Issuing>> {
        let kek = self.key_encryption_key()?;
        let mut keys = self.store.issuer_keys().await?;
        if keys.is_empty() {
            let (public, sealed) = new_sealed_key(&kek)?;
            self.store.add_first_issuer_key(&public, &sealed, self.clock.unix()).await?;
            tracing::info!("generated the society's first credential signing key");
            keys = self.store.issuer_keys().await?;
        }
        let current = keys
            .first()
            .filter(|k| k.retired_at.is_none())
            .ok_or_else(|| AppError::Internal("the society has signing keys but none is current".into()))?;
        let current_public = decode_public(&current.public_key)?;
        let secret = unseal(&kek, &current.sealed_secret, &current_public)?;
        let public = keys
            .iter()
            .map(|k| {
                decode_public(&k.public_key).and_then(|bytes| {
                    PublicKey::from_bytes(&k.fragment, &bytes)
                        .map_err(|e| AppError::Internal(format!("signing key {}: {e}", k.fragment)))
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let issuing = Arc::new(Issuing {
            did: self.issuer_did()?,
            current: IssuerKey::from_secret(&current.fragment, &secret),
            public,
        });
        *self.issuing.write().await = Some((Instant::now(), issuing.clone()));
        Ok(issuing)
    }

    /// Adds a new signing key and makes it current; the old one stays in the DID document
    /// so that what it signed still verifies. Administrators only.
    pub async fn rotate_issuer_key(&self, actor: &Actor, request_id: &str) -> AppResult<String> {
        actor.require(Permission::Administration)?;
        let kek = self.key_encryption_key()?;
        let (public, sealed) = new_sealed_key(&kek)?;
        let mut audit = self.audit_entry(actor, "credentials.key_rotated", "issuer_key", request_id);
        audit.subject_label = "The society's credential signing key".into();
        let key = self.store.rotate_issuer_key(&public, &sealed, self.clock.unix(), &audit).await?;
        self.issuing_fresh().await?;
        Ok(key.fragment)
    }

    /// The DID document served at `/.well-known/did.json`.
    pub async fn did_document(&self) -> AppResult<serde_json::Value> {
        let issuing = self.issuing().await?;
        Ok(guildhall_credentials::did_document(&issuing.did, &issuing.public))
    }
}

fn decode_public(encoded: &str) -> AppResult<[u8; 32]> {
    URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AppError::Internal("a stored public key is malformed".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_only_with_its_key_encryption_key_and_its_public_key() {
        let kek = [9u8; 32];
        let secret = [1u8; 32];
        let public = [2u8; 32];
        let sealed = seal(&kek, &secret, &public).expect("seals");
        assert!(!sealed.contains(&URL_SAFE_NO_PAD.encode(secret)), "the secret is not in the clear");
        assert_eq!(unseal(&kek, &sealed, &public).expect("opens"), secret);
        assert!(unseal(&[8u8; 32], &sealed, &public).is_err(), "another key-encryption key");
        assert!(unseal(&kek, &sealed, &[3u8; 32]).is_err(), "sealed for another public key");
        assert!(unseal(&kek, "short", &public).is_err());
    }

    #[test]
    fn the_key_file_sits_beside_the_sqlite_database_unless_configured() {
        let default = CredentialsSettings::default();
        let cases = [
            ("sqlite:data/guildhall.db", "data/issuer-key.secret"),
            ("sqlite:///srv/society/guildhall.db?mode=rwc", "/srv/society/issuer-key.secret"),
            ("sqlite::memory:", "data/issuer-key.secret"),
            ("postgres://pg@db/society", "data/issuer-key.secret"),
        ];
        for (url, path) in cases {
            assert_eq!(key_file_path(&default, url), path, "{url}");
        }
        let configured = CredentialsSettings { key_file: "/etc/guildhall/kek".into(), ..Default::default() };
        assert_eq!(key_file_path(&configured, "sqlite:data/guildhall.db"), "/etc/guildhall/kek");
    }

    #[test]
    fn the_key_file_is_made_private_and_a_readable_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("guildhall-kek-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("issuer-key.secret");
        let settings = CredentialsSettings { key_file: path.display().to_string(), ..Default::default() };
        let first = key_encryption_key(&settings, "postgres://x").expect("made on first use");
        assert_eq!(
            key_encryption_key(&settings, "postgres://x").expect("read back"),
            first,
            "the same key every start"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).expect("exists").permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let refused = key_encryption_key(&settings, "postgres://x").expect_err("readable by others");
            assert!(refused.to_string().contains("chmod 600"), "{refused}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
