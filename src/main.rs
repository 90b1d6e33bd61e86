fn main() {
    std::process::exit(cwmpd::cli::main());
}
