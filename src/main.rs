//! The `changenet` binary: parse the command line, call the library, map errors to exit
//! codes (0 success, 2 invalid input or usage, 1 anything else).

use changenet::cli;

// Runs allocate their worlds and row buffers on every thread at once; mimalloc's per-thread
// heaps keep that from serialising on the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    cli::install_panic_hook();
    let code = std::panic::catch_unwind(|| {
        let result = cli::parse(std::env::args_os()).and_then(|action| {
            cli::execute(
                action,
                &changenet::model::run_replicate,
                &mut std::io::stdout(),
            )
        });
        match result {
            Ok(()) => 0,
            Err(e) => cli::report(&e),
        }
    })
    .unwrap_or(1);
    std::process::exit(code);
}
