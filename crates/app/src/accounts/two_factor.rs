//! Two-factor sign-in: a code from an authenticator app (TOTP, RFC 6238, by the
//! `totp-rs` crate) or one of ten single-use recovery codes, asked for after the
//! password. Anyone may turn it on; staff and administrators must, while
//! `security.require_two_factor_for_staff` is set.

use guildhall_domain::identity::Role;
use guildhall_store::{NewMail, UserRecord};
use totp_rs::{Builder, Secret, Totp};

use super::{ClientInfo, SignInStep, SignedIn, check_current_password};
use crate::crypto::{hash_token, random_token};
use crate::error::{AppError, AppResult};
use crate::{Actor, App, Permission};

/// How many recovery codes an account gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// How long a sign-in waits for its second factor after the password was right.
const CHALLENGE_MINUTES: i64 = 10;
/// The 32 characters of recovery codes: no i, l, 1 or o to misread (and 32, so every
/// random byte maps to each equally often).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz023456789";

/// What the account page shows about two-factor sign-in.
#[derive(Debug, Clone)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// The account's role requires it (it cannot be turned off).
    pub required: bool,
    pub recovery_codes_left: i64,
    /// While it is being set up: what to put into the authenticator app.
    pub setup: Option<TwoFactorSetup>,
}

/// The new secret, as a QR code and as text for typing in.
#[derive(Debug, Clone)]
pub struct TwoFactorSetup {
    /// The secret in base32, grouped in fours for typing.
    pub key: String,
    /// The `otpauth://` address the QR code carries.
    pub otpauth_url: String,
    /// An inline SVG image of the QR code.
    pub qr_svg: String,
}

impl App {
    /// Whether accounts of `role` must use two-factor sign-in.
    pub fn two_factor_required_for(&self, role: Role) -> bool {
        self.settings.security.require_two_factor_for_staff && role >= Role::Staff
    }

    async fn own_account(&self, actor: &Actor) -> AppResult<UserRecord> {
        actor.require(Permission::OwnAccount)?;
        self.store.user_by_id(actor.user_id).await?.ok_or_else(|| AppError::NotFound("No such account.".into()))
    }

    /// The signed-in person's two-factor sign-in: on or off, and the set-up in progress.
    pub async fn two_factor_status(&self, actor: &Actor) -> AppResult<TwoFactorStatus> {
        let user = self.own_account(actor).await?;
        let enabled = user.two_factor_enabled_at.is_some();
        let setup = match self.store.two_factor_secret(user.id).await? {
            Some(secret) if !enabled => Some(self.setup_for(&user, &secret.secret).await?),
            _ => None,
        };
        Ok(TwoFactorStatus {
            enabled,
            required: self.two_factor_required_for(Role::parse(&user.role).unwrap_or(Role::Member)),
            recovery_codes_left: if enabled { self.store.recovery_codes_left(user.id).await? } else { 0 },
            setup,
        })
    }

    /// Starts setting up two-factor sign-in with a new secret (any earlier, unfinished
    /// set-up is replaced).
    pub async fn begin_two_factor(&self, actor: &Actor) -> AppResult<()> {
        let user = self.own_account(actor).await?;
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
        let secret = Secret::from(bytes).to_base32();
        if !self.store.begin_two_factor(user.id, &secret, self.clock.unix()).await? {
            return Err(already_on());
        }
        Ok(())
    }

    /// Finishes the set-up with the first code the app shows: two-factor sign-in is on,
    /// and the recovery codes returned are shown to the person once.
    pub async fn enable_two_factor(&self, actor: &Actor, code: &str, request_id: &str) -> AppResult<Vec<String>> {
        let user = self.own_account(actor).await?;
        if user.two_factor_enabled_at.is_some() {
            return Err(already_on());
        }
        let Some(secret) = self.store.two_factor_secret(user.id).await? else {
            return Err(AppError::invalid("Start setting up two-factor sign-in first."));
        };
        let step = self.totp(&user, &secret.secret).await?.check(&digits_of(code), self.unix_u64()).ok_or_else(|| {
            AppError::invalid_field(
                "code",
                "That code is not right. Enter the six digits your app shows now, and check that your phone's clock is right.",
            )
        })?;
        let (codes, hashes) = recovery_codes()?;
        let notice = self.security_notice(
            &user,
            "Two-factor sign-in was turned on",
            "Two-factor sign-in was turned on for this account: from now on, signing in asks for a code from \
             your authenticator app (or one of your recovery codes) after the password.",
        );
        let mut audit = self.audit_entry(actor, "account.two_factor_enabled", "user", request_id);
        audit.subject_id = Some(user.id);
        audit.subject_label = user.email.clone();
        let step = i64::try_from(step).map_err(|_| AppError::Internal("time step out of range".into()))?;
        if !self.store.enable_two_factor(user.id, step, &hashes, &notice.await, &audit).await? {
            return Err(already_on());
        }
        Ok(codes)
    }

    /// Replaces the recovery codes (the password is asked again); the old ones stop working.
    pub async fn new_recovery_codes(
        &self,
        actor: &Actor,
        current_password: &str,
        request_id: &str,
    ) -> AppResult<Vec<String>> {
        let user = self.own_account(actor).await?;
        check_current_password(&user, current_password).await?;
        if user.two_factor_enabled_at.is_none() {
            return Err(AppError::invalid("Two-factor sign-in is off: there are no recovery codes to replace."));
        }
        let (codes, hashes) = recovery_codes()?;
        let mut audit = self.audit_entry(actor, "account.recovery_codes_replaced", "user", request_id);
        audit.subject_id = Some(user.id);
        audit.subject_label = user.email.clone();
        self.store.replace_recovery_codes(user.id, &hashes, &audit).await?;
        Ok(codes)
    }

    /// Turns two-factor sign-in off (the password is asked again); not for accounts whose
    /// role requires it.
    pub async fn disable_two_factor(&self, actor: &Actor, current_password: &str, request_id: &str) -> AppResult<()> {
        let user = self.own_account(actor).await?;
        check_current_password(&user, current_password).await?;
        if self.two_factor_required_for(Role::parse(&user.role).unwrap_or(Role::Member)) {
            return Err(AppError::Forbidden(
                "Staff and administrator accounts must keep two-factor sign-in on. You can make new recovery codes instead."
                    .into(),
            ));
        }
        let notice = self.security_notice(
            &user,
            "Two-factor sign-in was turned off",
            "Two-factor sign-in was turned off for this account: signing in now asks only for the password.",
        );
        let mut audit = self.audit_entry(actor, "account.two_factor_disabled", "user", request_id);
        audit.subject_id = Some(user.id);
        audit.subject_label = user.email.clone();
        self.store.disable_two_factor(user.id, &notice.await, &audit).await?;
        Ok(())
    }

    /// The password was right and the account uses two-factor sign-in: the sign-in waits
    /// for a code.
    pub(super) async fn challenge_second_factor(&self, user: &UserRecord) -> AppResult<SignInStep> {
        let now = self.clock.unix();
        let challenge = random_token()?;
        let max_age_secs = CHALLENGE_MINUTES * 60;
        self.store.create_sign_in_challenge(&hash_token(&challenge), user.id, now, now + max_age_secs).await?;
        Ok(SignInStep::SecondFactor { challenge, max_age_secs })
    }

    /// Whether a sign-in challenge is still waiting for its code.
    pub async fn sign_in_challenge_is_live(&self, challenge: &str) -> AppResult<bool> {
        Ok(self.store.sign_in_challenge(&hash_token(challenge), self.clock.unix()).await?.is_some())
    }

    /// Ends a sign-in with its second factor: a code from the app (each accepted once) or
    /// a recovery code (each works once). Wrong codes count against the account like
    /// wrong passwords.
    pub async fn complete_sign_in(&self, challenge: &str, code: &str, client: &ClientInfo) -> AppResult<SignedIn> {
        let security = &self.settings.security;
        let now = self.clock.unix();
        let challenge_hash = hash_token(challenge);
        let Some(user_id) = self.store.sign_in_challenge(&challenge_hash, now).await? else {
            return Err(expired());
        };
        if code.trim().is_empty() {
            return Err(AppError::invalid_field(
                "code",
                "Enter the code from your authenticator app, or a recovery code.",
            ));
        }
        let throttle = format!("second-factor:{user_id}");
        let window = security.failure_window_minutes * 60;
        let counts = self.store.count_sign_in_attempt(&[throttle.as_str()], now - window, now).await?;
        if counts.first().copied().unwrap_or(0) > security.max_failures_per_account {
            return Err(AppError::RateLimited {
                message: format!(
                    "Too many wrong codes. For your security, wait {} minutes before trying again.",
                    security.failure_window_minutes
                ),
                retry_after_secs: window,
            });
        }
        let user = self.store.user_by_id(user_id).await?.ok_or_else(expired)?;
        let Some(secret) = self.store.two_factor_secret(user.id).await? else { return Err(expired()) };

        let digits = digits_of(code);
        let mut recovery_codes_left = None;
        if digits.len() == 6 {
            let step = self
                .totp(&user, &secret.secret)
                .await?
                .check(&digits, self.unix_u64())
                .and_then(|s| i64::try_from(s).ok());
            let Some(step) = step else { return Err(wrong_code()) };
            if !self.store.use_two_factor_step(user.id, step).await? {
                return Err(AppError::invalid_field(
                    "code",
                    "That code was used already. Wait for the next code your app shows, and enter that one.",
                ));
            }
        } else {
            let left = self.store.use_recovery_code(user.id, &hash_token(&recovery_key(code)), now).await?;
            recovery_codes_left = Some(left.ok_or_else(wrong_code)?);
        }
        if self.store.consume_sign_in_challenge(&challenge_hash, now).await?.is_none() {
            return Err(expired());
        }
        self.store.forgive_sign_in_attempt(&[throttle.as_str()], &[]).await?;
        if user.disabled_at.is_some() {
            return Err(AppError::Forbidden("This account is disabled.".into()));
        }
        if let Some(left) = recovery_codes_left {
            let body = format!(
                "One of this account's recovery codes was used to sign in just now; {left} are left. If this was \
                 not you, change your password at once and tell the society office. You can make new recovery \
                 codes on your account page."
            );
            let notice = self.security_notice(&user, "A recovery code was used to sign in", &body).await;
            self.store.enqueue_mail(&notice, now).await?;
        }
        self.finish_sign_in(user, client).await
    }

    async fn totp(&self, user: &UserRecord, secret: &str) -> AppResult<Totp> {
        let secret =
            Secret::try_from_base32(secret).map_err(|e| AppError::Internal(format!("bad TOTP secret: {e}")))?;
        // Authenticator apps show "issuer (account)"; neither may contain a colon.
        let issuer = self.branding().await.name.replace(':', " ");
        Builder::new()
            .with_secret(secret)
            .with_account_name(user.email.replace(':', "."))
            .with_issuer(Some(issuer))
            .build()
            .map_err(|e| AppError::Internal(format!("TOTP: {e}")))
    }

    async fn setup_for(&self, user: &UserRecord, secret: &str) -> AppResult<TwoFactorSetup> {
        let otpauth_url =
            self.totp(user, secret).await?.to_url().map_err(|e| AppError::Internal(format!("TOTP: {e}")))?;
        let qr = qrcode::QrCode::new(otpauth_url.as_bytes()).map_err(|e| AppError::Internal(format!("QR: {e}")))?;
        let svg = qr.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
        // Inline in the page: no XML declaration, and a name for screen readers.
        let svg = svg.trim_start_matches(|c| c != '<').to_string();
        let svg = match svg.find("<svg") {
            Some(start) => svg[start..].replacen(
                "<svg",
                "<svg role=\"img\" aria-label=\"QR code to scan with your authenticator app\"",
                1,
            ),
            None => svg,
        };
        let key =
            secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
        Ok(TwoFactorSetup { key, otpauth_url, qr_svg: svg })
    }

    async fn security_notice(&self, user: &UserRecord, subject: &str, what: &str) -> NewMail {
        NewMail {
            to_address: user.email.clone(),
            subject: format!("{subject} ({})", self.branding().await.name),
            body_text: format!(
                "Hello {},\n\n{what}\n\nYour account page: {}\n",
                user.display_name,
                self.link("/account")
            ),
            attachment: None,
        }
    }

    fn unix_u64(&self) -> u64 {
        u64::try_from(self.clock.unix()).unwrap_or(0)
    }
}

/// Ten recovery codes as shown ("k7mpq-2xw9d") and their hashes as stored.
fn recovery_codes() -> AppResult<(Vec<String>, Vec<String>)> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut bytes = [0u8; 10];
        getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
        let letters: String =
            bytes.iter().map(|b| char::from(RECOVERY_ALPHABET[usize::from(*b) % RECOVERY_ALPHABET.len()])).collect();
        codes.push(format!("{}-{}", &letters[..5], &letters[5..]));
    }
    let hashes = codes.iter().map(|c| hash_token(&recovery_key(c))).collect();
    Ok((codes, hashes))
}

/// A recovery code as typed, compared without case, spaces or hyphens.
fn recovery_key(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// The digits of a typed code ("123 456" → "123456"); anything else makes it no TOTP code.
fn digits_of(code: &str) -> String {
    let compact: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if compact.chars().all(|c| c.is_ascii_digit()) { compact } else { String::new() }
}

fn already_on() -> AppError {
    AppError::Conflict { message: "Two-factor sign-in is already on for this account.".into(), field: None }
}

fn expired() -> AppError {
    AppError::invalid("This sign-in has expired. Sign in again with your email address and password.")
}

fn wrong_code() -> AppError {
    AppError::invalid_field("code", "That code is not right. Enter the code your app shows now, or a recovery code.")
}
