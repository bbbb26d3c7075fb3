use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = fieldcheck_server::cli::Cli::parse();
    let code = fieldcheck_server::cli::run(
        cli,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}
