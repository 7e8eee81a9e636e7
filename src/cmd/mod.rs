//! One module per subcommand; each has a `run` that is the entry point for it.

pub mod build;
pub mod check;
pub mod deploy;
pub mod init;
pub mod new;
pub mod schema;
pub mod search;
pub mod serve;
