//! The SMTP relay: connections opened with `TCP_NODELAY` and kept open between messages.
//!
//! lettre writes a message's end (`CRLF.CRLF`) as its own small segment; with Nagle's
//! algorithm on, that segment waits for the relay to acknowledge the body, and relays delay
//! that acknowledgement (~40 ms on Linux), so each message on a connection took at least
//! 40 ms. Plain and STARTTLS connections are opened here with no delay; an implicit-TLS
//! connection (`mail.smtp_security = "tls"`) is opened by lettre, which does not expose the
//! socket, and keeps the delay. Either way a connection that has just delivered a message
//! is kept for the next one instead of a new connection, greeting and `QUIT` per message.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use secrecy::{ExposeSecret, SecretString};

use crate::error::{AppError, AppResult};

/// How the connection to the relay is protected.
enum Security {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// Upgraded with STARTTLS after the greeting.
    StartTls(TlsParameters),
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls(TlsParameters),
}

/// A kept connection and when it last delivered a message.
struct Idle {
    connection: AsyncSmtpConnection,
    since: Instant,
}

/// Connecting (and greeting) gives up after this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// One message (envelope, data, the relay's answer) gives up after this long.
const SEND_TIMEOUT: Duration = Duration::from_secs(120);
/// Closing a connection (`QUIT`) gives up after this long.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// A connection idle for longer is asked with `NOOP` whether it is still open before use.
const CHECK_AFTER: Duration = Duration::from_secs(5);
/// A connection idle for longer is closed rather than reused (relays close idle
/// connections after a few minutes).
const KEEP_IDLE: Duration = Duration::from_secs(60);
/// Connections kept open at most.
const KEEP_AT_MOST: usize = 16;

pub struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    idle: Mutex<Vec<Idle>>,
}

impl Relay {
    /// A relay at `host:port`, protected as `security` says (`starttls`, `tls` or `none`;
    /// `setting` names the key in messages), signing in when a username is given.
    pub fn new(
        host: &str,
        port: u16,
        security: &str,
        setting: &str,
        username: &str,
        password: &SecretString,
    ) -> AppResult<Self> {
        let tls = || {
            TlsParameters::new(host.to_string())
                .map_err(|e| AppError::Internal(format!("cannot set up TLS for the SMTP relay {host}: {e}")))
        };
        let security = match security {
            "none" => Security::None,
            "starttls" => Security::StartTls(tls()?),
            "tls" => Security::Tls(tls()?),
            other => {
                return Err(AppError::Internal(format!("{setting} must be starttls, tls or none, not {other:?}")));
            }
        };
        let credentials =
            (!username.is_empty()).then(|| Credentials::new(username.to_string(), password.expose_secret().to_owned()));
        Ok(Relay {
            host: host.to_string(),
            port,
            security,
            credentials,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Hands one message to the relay. An error means the relay did not take it (or its
    /// answer never came); the connection it was tried on is closed.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), String> {
        let mut connection = self.connection().await?;
        match tokio::time::timeout(SEND_TIMEOUT, connection.send(envelope, message)).await {
            Ok(Ok(_)) => {
                self.keep(connection);
                Ok(())
            }
            Ok(Err(error)) => {
                close(connection).await;
                Err(error.to_string())
            }
            Err(_) => {
                close(connection).await;
                Err(format!("the relay did not answer within {} s", SEND_TIMEOUT.as_secs()))
            }
        }
    }

    /// A kept connection that is still open, else a new one.
    async fn connection(&self) -> Result<AsyncSmtpConnection, String> {
        loop {
            let idle = self.idle.lock().map_err(|_| "the relay's connections are unusable".to_owned())?.pop();
            let Some(Idle { mut connection, since }) = idle else { break };
            let idle_for = since.elapsed();
            if idle_for > KEEP_IDLE {
                close(connection).await;
                continue;
            }
            if idle_for < CHECK_AFTER || connection.test_connected().await {
                return Ok(connection);
            }
            close(connection).await;
        }
        match tokio::time::timeout(CONNECT_TIMEOUT, self.connect()).await {
            Ok(result) => result.map_err(|e| format!("cannot connect to {}:{}: {e}", self.host, self.port)),
            Err(_) => {
                Err(format!("cannot connect to {}:{} within {} s", self.host, self.port, CONNECT_TIMEOUT.as_secs()))
            }
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        let address = (self.host.as_str(), self.port);
        let mut connection = match &self.security {
            Security::Tls(tls) => AsyncSmtpConnection::connect_tokio1(
                address,
                Some(CONNECT_TIMEOUT),
                &self.hello,
                Some(tls.clone()),
                None,
            )
            .await
            .map_err(|e| e.to_string())?,
            Security::None | Security::StartTls(_) => {
                let stream = tokio::net::TcpStream::connect(address).await.map_err(|e| e.to_string())?;
                stream.set_nodelay(true).map_err(|e| e.to_string())?;
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                    .await
                    .map_err(|e| e.to_string())?
            }
        };
        if let Security::StartTls(tls) = &self.security {
            connection.starttls(tls.clone(), &self.hello).await.map_err(|e| e.to_string())?;
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(DEFAULT_MECHANISMS, credentials).await.map_err(|e| e.to_string())?;
        }
        Ok(connection)
    }

    /// Keeps a connection that has just delivered a message for the next one.
    fn keep(&self, connection: AsyncSmtpConnection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < KEEP_AT_MOST
        {
            idle.push(Idle { connection, since: Instant::now() });
        }
    }
}

/// Says `QUIT` and closes a connection, giving up on a relay that does not answer.
async fn close(mut connection: AsyncSmtpConnection) {
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, connection.abort()).await;
}
