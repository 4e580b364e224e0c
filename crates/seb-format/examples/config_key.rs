//! Prints the Config Key of an XML plist file, read as a stream (`config_key_of_xml`), or with
//! `--tree` through the parsed values: `cargo run --release --example config_key -- [--tree] FILE`.
//! benches/config_key_memory.sh compares the peak memory of both on plists of growing size.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tree = args.iter().any(|a| a == "--tree");
    let Some(path) = args.iter().find(|a| *a != "--tree") else {
        eprintln!("usage: config_key [--tree] FILE");
        return std::process::ExitCode::from(2);
    };
    let xml = match std::fs::read(path) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{path}: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let key = if tree {
        seb_format::plist::read_xml(&xml).map(|d| seb_format::configkey::config_key(&d))
    } else {
        seb_format::configkey::config_key_of_xml(&xml)
    };
    match key {
        Ok(k) => {
            println!("{k}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
