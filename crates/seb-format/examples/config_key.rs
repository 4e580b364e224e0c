//! Prints the Config Key of an XML plist file, streamed from the file through a window
//! (`config_key_of_reader`), or with `--bytes` from the file read into memory (`config_key_of_xml`),
//! or with `--tree` through the parsed values:
//! `cargo run --release --example config_key -- [--bytes|--tree] FILE`.
//! benches/config_key_memory.sh compares the time and peak memory of the three on plists of growing
//! size.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args
        .iter()
        .find(|a| a.starts_with("--"))
        .map(String::as_str);
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: config_key [--bytes|--tree] FILE");
        return std::process::ExitCode::from(2);
    };
    let key = match mode {
        None => std::fs::File::open(path)
            .map_err(|e| e.to_string())
            .and_then(seb_format::configkey::config_key_of_reader),
        Some(mode @ ("--bytes" | "--tree")) => match std::fs::read(path) {
            Ok(xml) if mode == "--tree" => {
                seb_format::plist::read_xml(&xml).map(|d| seb_format::configkey::config_key(&d))
            }
            Ok(xml) => seb_format::configkey::config_key_of_xml(&xml),
            Err(e) => Err(e.to_string()),
        },
        Some(other) => {
            eprintln!("unknown option {other}; usage: config_key [--bytes|--tree] FILE");
            return std::process::ExitCode::from(2);
        }
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
