//! Every metric against networkx on small known graphs (fixtures in
//! tests/fixtures/networks/expected.json; see the README there for how they were made).

use changenet::network::metrics::{self, Sampling};
use changenet::network::{Network, TieSpec};
use serde_json::Value;

fn fixtures() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/networks/expected.json"
    ))
    .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["graphs"].as_array().unwrap().clone()
}

fn network(g: &Value) -> Network {
    let n = g["n"].as_u64().unwrap() as usize;
    let ties: Vec<TieSpec> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| TieSpec {
            a: e[0].as_u64().unwrap() as u32,
            b: e[1].as_u64().unwrap() as u32,
            weight: 1.0,
            person_dependent: false,
        })
        .collect();
    Network::from_ties(n, &ties, &[], &[]).unwrap()
}

fn close(name: &str, what: &str, got: f64, want: f64) {
    let ok = (got.is_nan() && want.is_nan()) || (got - want).abs() <= 1e-9 * want.abs().max(1.0);
    assert!(ok, "{name}: {what}: got {got}, networkx {want}");
}

fn floats(g: &Value, key: &str) -> Vec<f64> {
    g[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn each_close(name: &str, what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{name}: {what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        close(name, &format!("{what}[{i}]"), *g, *w);
    }
}

#[test]
fn metrics_match_networkx() {
    let all = fixtures();
    assert!(all.len() >= 9);
    for g in &all {
        let name = g["name"].as_str().unwrap();
        let net = network(g);
        let (_, m, density) = metrics::size(&net);
        assert_eq!(m, g["edges"].as_array().unwrap().len());
        close(name, "density", density, g["density"].as_f64().unwrap());
        let comps = metrics::components(&net);
        let mut sizes = comps.sizes.clone();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let want: Vec<usize> = g["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(sizes, want, "{name}: component sizes");
        let deg: Vec<f64> = metrics::degrees(&net).iter().map(|&d| d as f64).collect();
        each_close(name, "degree", &deg, &floats(g, "degree"));
        let tri = metrics::triangles(&net);
        let trif: Vec<f64> = tri.iter().map(|&t| t as f64).collect();
        each_close(name, "triangles", &trif, &floats(g, "triangles"));
        let local = metrics::local_clustering(&net, &tri);
        each_close(name, "clustering", &local, &floats(g, "clustering"));
        close(
            name,
            "average clustering",
            metrics::average_clustering(&local),
            g["average_clustering"].as_f64().unwrap(),
        );
        close(
            name,
            "transitivity",
            metrics::transitivity(&net, &tri),
            g["transitivity"].as_f64().unwrap(),
        );
        let bc = metrics::betweenness(&net);
        each_close(name, "betweenness", &bc, &floats(g, "betweenness"));
        each_close(
            name,
            "normalised betweenness",
            &metrics::normalise_betweenness(&bc),
            &floats(g, "betweenness_normalised"),
        );
        each_close(
            name,
            "constraint",
            &metrics::constraint(&net),
            &floats(g, "constraint"),
        );
        each_close(
            name,
            "effective size",
            &metrics::effective_size(&net, &tri),
            &floats(g, "effective_size"),
        );
        let paths = metrics::average_shortest_path(&net, &Sampling::default());
        assert!(paths.exact);
        close(
            name,
            "average shortest path",
            paths.mean,
            g["average_shortest_path"].as_f64().unwrap(),
        );
        if let Some(nx) = g.get("networkx_average_shortest_path_length") {
            close(
                name,
                "networkx average shortest path",
                paths.mean,
                nx.as_f64().unwrap(),
            );
        }
        if let Some(group) = g.get("group") {
            let group: Vec<u16> = group
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as u16)
                .collect();
            let k = *group.iter().max().unwrap() as usize + 1;
            let ei = metrics::ei_index(&net, &group, k);
            assert_eq!(ei.external, g["ei_external"].as_u64().unwrap(), "{name}: E");
            assert_eq!(ei.internal, g["ei_internal"].as_u64().unwrap(), "{name}: I");
        }
    }
}

/// Hand-computed: a star's hub brokers every pair of leaves; leaves are fully constrained.
#[test]
fn star_by_hand() {
    let ties: Vec<TieSpec> = (1..5)
        .map(|b| TieSpec {
            a: 0,
            b,
            weight: 1.0,
            person_dependent: false,
        })
        .collect();
    let net = Network::from_ties(5, &ties, &[], &[]).unwrap();
    let bc = metrics::betweenness(&net);
    assert_eq!(bc, vec![6.0, 0.0, 0.0, 0.0, 0.0]);
    let c = metrics::constraint(&net);
    assert!((c[0] - 0.25).abs() < 1e-12 && (c[1] - 1.0).abs() < 1e-12);
    let tri = metrics::triangles(&net);
    assert_eq!(
        metrics::effective_size(&net, &tri),
        vec![4.0, 1.0, 1.0, 1.0, 1.0]
    );
    assert_eq!(metrics::top(&bc, 2), vec![0, 1]);
}

/// E-I by hand: two kinds {0,1} {2,3}; ties 0-1 (inside), 1-2 (across), 2-3 (inside).
#[test]
fn ei_index_by_hand() {
    let t = |a, b| TieSpec {
        a,
        b,
        weight: 1.0,
        person_dependent: false,
    };
    let net = Network::from_ties(5, &[t(0, 1), t(1, 2), t(2, 3)], &[], &[]).unwrap();
    let ei = metrics::ei_index(&net, &[0, 0, 1, 1, 1], 2);
    assert_eq!((ei.external, ei.internal), (1, 2));
    assert!((ei.index - (-1.0 / 3.0)).abs() < 1e-12);
    assert_eq!(ei.groups[0], (1, 1, 0.0));
    assert_eq!(ei.organisation[0], -1.0);
    assert_eq!(ei.organisation[1], 0.0);
    assert!(ei.organisation[4].is_nan());
    let mix = metrics::mixing_matrix(&net, &[0, 0, 1, 1, 1], 2);
    assert_eq!(mix, vec![vec![1, 1], vec![1, 1]]);
}

/// Sampled betweenness and path lengths: deterministic, close to exact, and the same at
/// any thread count (chunked fixed-order reduction).
#[test]
fn sampled_estimates_and_thread_independence() {
    let g = fixtures()
        .into_iter()
        .find(|g| g["name"] == "ba80")
        .unwrap();
    let net = network(&g);
    let exact = metrics::average_shortest_path(&net, &Sampling::default());
    let s = Sampling {
        max_exact_work: 0,
        sources: 40,
        seed: 7,
    };
    let est = metrics::average_shortest_path(&net, &s);
    // With no work budget the sample falls to its floor of 32 sources.
    assert!(!est.exact && est.sources == 32);
    assert!(est.standard_error > 0.0);
    assert!((est.mean - exact.mean).abs() < 4.0 * est.standard_error + 1e-9);
    let (src, _) = s.sources(&net);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| metrics::betweenness_from(&net, &src));
    let three = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap()
        .install(|| metrics::betweenness_from(&net, &src));
    assert_eq!(one, three);
    let all = metrics::betweenness(&net);
    let one_all = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| metrics::betweenness(&net));
    assert_eq!(all, one_all);
}
