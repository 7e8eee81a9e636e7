//! A real S3-compatible server for the tests: moto in server mode on
//! 127.0.0.1, from the virtual environment `scripts/test.sh` installs
//! (`target/s3-server`, pinned in tests/s3/requirements.txt). Each request it
//! serves is logged, so a test can tell exactly what a deploy sent.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The running server; stopped when dropped.
pub(crate) struct S3Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) endpoint: String,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

/// The server's Python, from `scripts/test.sh`'s virtual environment.
fn python() -> PathBuf {
    let venv = std::env::var_os("HUBGEN_S3_VENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/s3-server"),
        PathBuf::from,
    );
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "the deploy tests need moto in {}: run ./scripts/test.sh, which installs it from tests/s3/requirements.txt",
        venv.display()
    );
    python
}

impl S3Server {
    /// Starts a server on a free port of 127.0.0.1.
    pub(crate) fn start() -> S3Server {
        let mut child = Command::new(python())
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("moto starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("Running on http://127.0.0.1:").nth(1) {
                    let _ = tx.send(rest.trim().parse::<u16>().unwrap_or(0));
                }
                lines.lock().unwrap().push(line);
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("moto says which port it listens on");
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.request("GET", "/", b"").0 != 200 {
            assert!(Instant::now() < deadline, "moto does not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// Sends one HTTP/1.1 request; returns the status, headers (names in
    /// lowercase) and body.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> (u16, BTreeMap<String, String>, Vec<u8>) {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return (0, BTreeMap::new(), Vec::new());
        };
        let head = format!(
            // moto checks that a request is signed, not the signature.
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        (status, headers, raw[split + 4..].to_vec())
    }

    /// Creates a bucket.
    pub(crate) fn create_bucket(&self, bucket: &str) {
        let (status, _, body) = self.request("PUT", &format!("/{bucket}"), b"");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }

    /// Every key in `bucket`, in order.
    pub(crate) fn keys(&self, bucket: &str) -> Vec<String> {
        let mut keys = Vec::new();
        let mut token = String::new();
        loop {
            let (status, _, body) = self.request(
                "GET",
                &format!("/{bucket}?list-type=2&max-keys=1000{token}"),
                b"",
            );
            assert_eq!(status, 200);
            let xml = String::from_utf8(body).unwrap();
            for part in xml.split("<Key>").skip(1) {
                keys.push(unescape(part.split("</Key>").next().unwrap()));
            }
            match xml.split("<NextContinuationToken>").nth(1) {
                Some(next) => {
                    let t = next.split("</NextContinuationToken>").next().unwrap();
                    token = format!(
                        "&continuation-token={}",
                        t.replace('+', "%2B")
                            .replace('/', "%2F")
                            .replace('=', "%3D")
                    );
                }
                None => break,
            }
        }
        keys.sort();
        keys
    }

    /// The object at `key` in `bucket`: its headers and bytes.
    pub(crate) fn object(&self, bucket: &str, key: &str) -> (BTreeMap<String, String>, Vec<u8>) {
        let (status, headers, body) = self.request("GET", &format!("/{bucket}/{key}"), b"");
        assert_eq!(status, 200, "GET {bucket}/{key}");
        (headers, body)
    }

    /// How many lines the request log has: a mark to read new ones from.
    pub(crate) fn mark(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    /// The requests logged since `mark`, as (method, path without query).
    pub(crate) fn requests_since(&self, mark: usize) -> Vec<(String, String)> {
        // The log line of a request can come a moment after its response.
        std::thread::sleep(Duration::from_millis(300));
        self.logged_since(mark)
    }

    /// The requests logged so far since `mark`, without waiting for late lines.
    pub(crate) fn logged_since(&self, mark: usize) -> Vec<(String, String)> {
        let log = self.log.lock().unwrap();
        log[mark..]
            .iter()
            .filter_map(|l| {
                let l = plain(l);
                let quoted = l.split('"').nth(1)?;
                let mut parts = quoted.split(' ');
                let method = parts.next()?.to_string();
                let path = parts.next()?.split('?').next()?.to_string();
                Some((method, path))
            })
            .collect()
    }

    /// The keys of `bucket` that requests since `mark` wrote with `method`.
    pub(crate) fn written_since(&self, mark: usize, method: &str, bucket: &str) -> Vec<String> {
        let mut keys: Vec<String> = self
            .requests_since(mark)
            .into_iter()
            .filter(|(m, _)| m == method)
            .filter_map(|(_, p)| p.strip_prefix(&format!("/{bucket}/")).map(percent_decode))
            .collect();
        keys.sort();
        keys
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A log line without its terminal colours (werkzeug colours errors).
fn plain(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        rest = rest.find('m').map_or("", |m| &rest[m + 1..]);
    }
    out.push_str(rest);
    out
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
