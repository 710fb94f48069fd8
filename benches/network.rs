//! Network hot paths: generation (G(n,p) and G(n,m) at 1M organisations and 5M ties;
//! Watts-Strogatz, Barabasi-Albert and the block model at 100k), loading the benchmark edge
//! lists (parsing alone, and parsing into the CSR network as scenarios do), exact betweenness on a 10k Watts-Strogatz graph and local clustering on a 100k
//! Barabasi-Albert graph (the graphs of ../shared/bench when present, else generated with
//! the same parameters).
//!
//! `cargo bench --bench network` runs criterion. With `NETWORK_COMPARE=1` it instead prints
//! one JSON line per measure (median of 5 runs, seconds) for a side-by-side run against
//! igraph (tests/fixtures/networks/igraph_times.py prints the same lines).

use std::path::{Path, PathBuf};
use std::time::Instant;

use changenet::network::generate::{generate, Nodes};
use changenet::network::import::{read_plain_edges, read_plain_pairs};
use changenet::network::metrics;
use changenet::network::{Network, TieSpec};
use changenet::rng::{replicate_key, Draws, Purpose};
use changenet::scenario::NetworkModel;
use criterion::{criterion_group, Criterion};

fn bench_dir() -> PathBuf {
    std::env::var_os("BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/bench/data"))
}

fn generated(model: NetworkModel, n: usize) -> Vec<TieSpec> {
    let kind = vec![0u16; n];
    let mut rng = Draws::sequence(&replicate_key(42, 0), Purpose::Network, 0, 0);
    generate(
        &model,
        &Nodes {
            kind: &kind,
            place: &kind,
        },
        &mut rng,
    )
    .expect("generate")
}

/// The benchmark graph `name` from its edge file, or generated with its parameters.
fn graph(name: &str) -> Network {
    let path = bench_dir().join(format!("{name}.edges"));
    let (n, ties) = if path.exists() {
        let e = read_plain_edges(&path, None).expect("read edges");
        (e.n, e.ties)
    } else {
        match name {
            "ws" => (
                10_000,
                generated(NetworkModel::WattsStrogatz { k: 10, p: 0.1 }, 10_000),
            ),
            _ => (
                100_000,
                generated(NetworkModel::BarabasiAlbert { m: 5 }, 100_000),
            ),
        }
    };
    Network::from_ties(n, &ties, &[], &[]).expect("network")
}

fn median_time(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[runs / 2]
}

fn compare() {
    let ws = graph("ws");
    let ba = graph("ba");
    let threads = rayon::current_num_threads();
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let bt = median_time(runs, || {
        std::hint::black_box(metrics::betweenness(&ws));
    });
    println!("{{\"tool\":\"changenet\",\"measure\":\"betweenness_ws\",\"seconds\":{bt},\"threads\":{threads}}}");
    let ct = median_time(5, || {
        let tri = metrics::triangles(&ba);
        std::hint::black_box(metrics::local_clustering(&ba, &tri));
    });
    println!("{{\"tool\":\"changenet\",\"measure\":\"clustering_ba\",\"seconds\":{ct},\"threads\":{threads}}}");
    for name in ["ba", "er"] {
        let p = bench_dir().join(format!("{name}.edges"));
        if p.exists() {
            let lt = median_time(5, || {
                let e = read_plain_pairs(&p, None).expect("read");
                std::hint::black_box(Network::from_pairs(e.n, &e.pairs, &[], &[]).expect("net"));
            });
            println!("{{\"tool\":\"changenet\",\"measure\":\"load_csr_{name}\",\"seconds\":{lt}}}");
        }
    }
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("generate");
    g.sample_size(10);
    g.bench_function("erdos_renyi_gnp_1M_mean10", |b| {
        b.iter(|| generated(NetworkModel::ErdosRenyi { mean_degree: 10.0 }, 1_000_000))
    });
    g.bench_function("erdos_renyi_gnm_1M_5M", |b| {
        b.iter(|| generated(NetworkModel::ErdosRenyiM { ties: 5_000_000 }, 1_000_000))
    });
    g.bench_function("watts_strogatz_100k_k10", |b| {
        b.iter(|| generated(NetworkModel::WattsStrogatz { k: 10, p: 0.1 }, 100_000))
    });
    g.bench_function("barabasi_albert_100k_m5", |b| {
        b.iter(|| generated(NetworkModel::BarabasiAlbert { m: 5 }, 100_000))
    });
    // 4 kinds x 10 places: 40 blocks, ties across the default mixing classes.
    let kind: Vec<u16> = (0..100_000u32).map(|i| (i % 4) as u16).collect();
    let place: Vec<u16> = (0..100_000u32).map(|i| (i % 10) as u16).collect();
    g.bench_function("stochastic_block_100k_40_blocks_mean10", |b| {
        b.iter(|| {
            let mut rng = Draws::sequence(&replicate_key(42, 0), Purpose::Network, 0, 0);
            let model = NetworkModel::StochasticBlock {
                mean_degree: 10.0,
                mixing: Default::default(),
            };
            generate(
                &model,
                &Nodes {
                    kind: &kind,
                    place: &place,
                },
                &mut rng,
            )
            .expect("generate")
        })
    });
    g.finish();
    let mut g = c.benchmark_group("metrics");
    g.sample_size(10);
    let ws = graph("ws");
    g.bench_function("betweenness_exact_ws_10k", |b| {
        b.iter(|| metrics::betweenness(&ws))
    });
    let ba = graph("ba");
    g.bench_function("local_clustering_ba_100k", |b| {
        b.iter(|| {
            let tri = metrics::triangles(&ba);
            metrics::local_clustering(&ba, &tri)
        })
    });
    g.bench_function("constraint_ba_100k", |b| {
        b.iter(|| metrics::constraint(&ba))
    });
    g.finish();
    let er = bench_dir().join("er.edges");
    let ba_path = bench_dir().join("ba.edges");
    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    for (name, p) in [("ba", &ba_path), ("er", &er)] {
        if Path::new(p).exists() {
            g.bench_function(format!("plain_edges_{name}"), |b| {
                b.iter(|| read_plain_edges(p, None).expect("read"))
            });
            g.bench_function(format!("plain_edges_to_csr_{name}"), |b| {
                b.iter(|| {
                    let e = read_plain_pairs(p, None).expect("read");
                    Network::from_pairs(e.n, &e.pairs, &[], &[]).expect("network")
                })
            });
        }
    }
    g.finish();
}

criterion_group!(network, benches);

fn main() {
    if std::env::var_os("NETWORK_COMPARE").is_some() {
        compare();
        return;
    }
    network();
    Criterion::default().configure_from_args().final_summary();
}
