//! Overhead of the runner and output writers: a whole `run` of the toy model (64
//! replicates, three years monthly, two practices, places on) into a temporary folder, with
//! 1 and 2 threads. The toy model costs microseconds, so this measures ordering, CSV
//! formatting, hashing and atomic writes, which every experiment pays per run.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use changenet::runner::job::{run_job, Job};
use changenet::runner::toy::{toy_model, toy_plan};

fn runner(c: &mut Criterion) {
    let plan = toy_plan(64);
    let mut group = c.benchmark_group("run_toy_64_replicates");
    group.throughput(Throughput::Elements(64));
    group.sample_size(20);
    for threads in [1, 2] {
        group.bench_function(format!("{threads}_threads"), |b| {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let job = Job {
                plan: &plan,
                scenario_file: None,
                overrides: vec![],
                out_dir: dir.path().to_path_buf(),
                threads,
                show_progress: false,
                shard: None,
                resume: false,
            };
            b.iter(|| run_job(&job, &toy_model).expect("the toy run succeeds"));
        });
    }
    group.finish();
}

criterion_group!(benches, runner);
criterion_main!(benches);
