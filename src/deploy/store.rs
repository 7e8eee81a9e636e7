//! The bucket a target is deployed to, through `object_store`'s S3 client:
//! list, read the manifest, upload with headers, delete. `object_store` is
//! async, so a `Store` carries its own small tokio runtime and each call
//! blocks on it; the rest of hubgen stays synchronous.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as Key;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutOptions,
    PutPayload, RetryConfig,
};

use super::local::LocalFile;
use crate::config::Deploy;
use crate::diagnostics::Diagnostic;

/// How many uploads or deletions run at once.
const CONCURRENCY: usize = 16;
/// How many times an upload is tried in all (each try itself retried by
/// `object_store` on server errors and lost connections).
const PUT_TRIES: u32 = 3;

/// The environment variables credentials are read from.
const CREDENTIALS_HINT: &str = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials) to a key that may list, upload and delete in the bucket; for Cloudflare R2, MinIO and other stores also set `endpoint` in site.toml or AWS_ENDPOINT_URL";

/// A connection to the bucket and folder a target is deployed to.
pub struct Store {
    runtime: tokio::runtime::Runtime,
    s3: AmazonS3,
    /// The folder in the bucket, ending in `/`; empty for the bucket's root.
    prefix: String,
    /// `s3://bucket/prefix`, for messages.
    name: String,
}

impl Store {
    /// Connects to the store `deploy` names, with credentials from the
    /// environment.
    pub fn open(deploy: &Deploy) -> Result<Store, Diagnostic> {
        let name = if deploy.prefix.is_empty() {
            format!("s3://{}", deploy.bucket)
        } else {
            format!("s3://{}/{}", deploy.bucket, deploy.prefix)
        };
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let keys = var("AWS_ACCESS_KEY_ID").is_some() && var("AWS_SECRET_ACCESS_KEY").is_some();
        let web_identity =
            var("AWS_WEB_IDENTITY_TOKEN_FILE").is_some() && var("AWS_ROLE_ARN").is_some();
        if !keys && !web_identity {
            return Err(Diagnostic::error(
                "deploy",
                format!("no credentials for {name}: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"),
            )
            .with_hint(CREDENTIALS_HINT));
        }
        // The AWS_* settings object_store knows, as `from_env` reads them,
        // but not those set empty (as CI sets a secret that does not exist).
        let mut builder = std::env::vars()
            .filter(|(k, v)| k.starts_with("AWS_") && !v.is_empty())
            .filter_map(|(k, v)| {
                Some((k.to_ascii_lowercase().parse::<AmazonS3ConfigKey>().ok()?, v))
            })
            .fold(AmazonS3Builder::new(), |b, (k, v)| b.with_config(k, v))
            .with_bucket_name(&deploy.bucket)
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(200),
                    max_backoff: Duration::from_secs(10),
                    base: 2.,
                },
                max_retries: 5,
                retry_timeout: Duration::from_secs(120),
            })
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(Duration::from_secs(60))
                    .with_connect_timeout(Duration::from_secs(10)),
            );
        if let Some(region) = &deploy.region {
            builder = builder.with_region(region);
        } else if var("AWS_REGION").is_none() && var("AWS_DEFAULT_REGION").is_none() {
            builder = builder.with_region("us-east-1");
        }
        let endpoint = deploy.endpoint.clone().or_else(|| var("AWS_ENDPOINT_URL"));
        if let Some(endpoint) = endpoint {
            // An address written with http:// is a deliberate choice (a store
            // on the same machine or network); https is the default.
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
        let s3 = builder.build().map_err(|e| {
            Diagnostic::error("deploy", format!("cannot connect to {name}: {e}"))
                .with_hint(CREDENTIALS_HINT)
        })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Diagnostic::error("deploy", format!("cannot start the uploader: {e}")))?;
        let prefix = if deploy.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", deploy.prefix)
        };
        Ok(Store {
            runtime,
            s3,
            prefix,
            name,
        })
    }

    /// `s3://bucket/prefix`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The store's key of a file's `key`.
    fn key(&self, key: &str) -> Result<Key, Diagnostic> {
        Key::parse(format!("{}{key}", self.prefix)).map_err(|e| {
            Diagnostic::error(
                "deploy",
                format!("`{key}` cannot be a key in {}: {e}", self.name),
            )
            .with_hint("rename the file so that its name holds no empty part, `.` or `..`")
        })
    }

    /// A problem talking to the store while doing `what`.
    fn failed(&self, what: &str, e: &object_store::Error) -> Diagnostic {
        Diagnostic::error("deploy", format!("could not {what} {}: {e}", self.name)).with_hint(
            format!("check the bucket's name, region and endpoint in site.toml, and the credentials ({CREDENTIALS_HINT}); then run `hubgen deploy` again: it carries on where this one stopped"),
        )
    }

    /// Every object in the deploy's folder, by key (from the folder), with
    /// its size.
    pub fn list(&self) -> Result<BTreeMap<String, u64>, Diagnostic> {
        let prefix = self.prefix.trim_end_matches('/');
        let prefix = (!prefix.is_empty()).then(|| Key::from(prefix));
        let listed: Vec<_> = self
            .runtime
            .block_on(self.s3.list(prefix.as_ref()).try_collect())
            .map_err(|e| self.failed("list", &e))?;
        Ok(listed
            .into_iter()
            .filter_map(|meta| {
                let key = meta
                    .location
                    .as_ref()
                    .strip_prefix(&self.prefix)?
                    .to_string();
                Some((key, meta.size))
            })
            .collect())
    }

    /// The object at `key`, or `None` if there is none.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Diagnostic> {
        let at = self.key(key)?;
        self.runtime
            .block_on(async {
                match self.s3.get(&at).await {
                    Ok(got) => got.bytes().await.map(|b| Some(b.to_vec())),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .map_err(|e| self.failed(&format!("read {key} from"), &e))
    }

    /// Uploads `bytes` to `key` with the given headers and hash (kept as the
    /// object's `hubgen-sha256` metadata, unless empty), trying again with
    /// back-off.
    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
        cache_control: Option<&str>,
        hash: &str,
    ) -> Result<(), Diagnostic> {
        let at = self.key(key)?;
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, content_type.to_string().into());
        if let Some(c) = cache_control {
            attributes.insert(Attribute::CacheControl, c.to_string().into());
        }
        if !hash.is_empty() {
            attributes.insert(
                Attribute::Metadata("hubgen-sha256".into()),
                hash.to_string().into(),
            );
        }
        let payload = PutPayload::from(bytes);
        let mut wait = Duration::from_millis(500);
        for attempt in 1..=PUT_TRIES {
            let opts = PutOptions {
                attributes: attributes.clone(),
                ..PutOptions::default()
            };
            match self.s3.put_opts(&at, payload.clone(), opts).await {
                Ok(_) => return Ok(()),
                Err(e) if attempt == PUT_TRIES => {
                    return Err(self.failed(&format!("upload {key} to"), &e))
                }
                Err(_) => {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
            }
        }
        Ok(())
    }

    /// Uploads `files`, several at once; calls `done` after each. Stops at
    /// the first that fails for good.
    pub fn upload(
        &self,
        files: &[LocalFile],
        done: &(dyn Fn(&LocalFile) + Sync),
    ) -> Result<(), Diagnostic> {
        self.runtime.block_on(
            stream::iter(files)
                .map(|f| async move {
                    let bytes = std::fs::read(&f.path).map_err(|e| {
                        Diagnostic::error(
                            "deploy",
                            format!("cannot read {}: {e}", f.path.display()),
                        )
                        .with_hint("build the site again with `hubgen build`, then deploy")
                    })?;
                    self.put(
                        &f.key,
                        bytes,
                        &f.content_type,
                        f.cache_control.as_deref(),
                        &f.hash,
                    )
                    .await?;
                    done(f);
                    Ok::<(), Diagnostic>(())
                })
                .buffer_unordered(CONCURRENCY)
                .try_collect::<()>(),
        )
    }

    /// Uploads a small object made here (the manifest), never cached.
    pub fn put_bytes(
        &self,
        key: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), Diagnostic> {
        self.runtime
            .block_on(self.put(key, bytes, content_type, Some("no-store"), ""))
    }

    /// Deletes the objects at `keys` (in batches where the store allows);
    /// calls `done` after each.
    pub fn delete(&self, keys: &[String], done: &(dyn Fn(&str) + Sync)) -> Result<(), Diagnostic> {
        let at: Vec<Key> = keys.iter().map(|k| self.key(k)).collect::<Result<_, _>>()?;
        self.runtime.block_on(async {
            let locations = stream::iter(at.into_iter().map(Ok)).boxed();
            let mut deleted = self.s3.delete_stream(locations);
            while let Some(result) = deleted.next().await {
                match result {
                    Ok(key) => {
                        done(
                            key.as_ref()
                                .strip_prefix(&self.prefix)
                                .unwrap_or(key.as_ref()),
                        );
                    }
                    // Already gone: what a deletion wants.
                    Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(self.failed("delete from", &e)),
                }
            }
            Ok(())
        })
    }
}
