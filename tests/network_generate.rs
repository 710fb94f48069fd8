//! Generators: counts, simple-graph property, determinism and statistical checks with
//! stated tolerances.

use changenet::network::generate::{
    build_ties, configuration, draw_weights, generate, strong_triadic_closure, GenerateError, Nodes,
};
use changenet::network::TieSpec;
use changenet::rng::{replicate_key, Draws, Purpose, SimRng};
use changenet::scenario::{Dist, Mixing, NetworkModel, NetworkSpec};
use std::collections::HashSet;

fn rng(seed: u64) -> SimRng {
    Draws::sequence(&replicate_key(seed, 0), Purpose::Network, 0, 0)
}

fn run(model: NetworkModel, n: usize, seed: u64) -> Vec<TieSpec> {
    let kind = vec![0u16; n];
    generate(
        &model,
        &Nodes {
            kind: &kind,
            place: &kind,
        },
        &mut rng(seed),
    )
    .unwrap()
}

/// No self-loops, no repeated pairs, ends in range.
fn assert_simple(n: usize, ties: &[TieSpec]) {
    let mut seen = HashSet::new();
    for t in ties {
        assert!(t.a != t.b, "self-loop {t:?}");
        assert!(
            (t.a as usize) < n && (t.b as usize) < n,
            "out of range {t:?}"
        );
        assert!(seen.insert((t.a.min(t.b), t.a.max(t.b))), "repeated {t:?}");
    }
}

fn degrees(n: usize, ties: &[TieSpec]) -> Vec<u32> {
    let mut d = vec![0; n];
    for t in ties {
        d[t.a as usize] += 1;
        d[t.b as usize] += 1;
    }
    d
}

#[test]
fn complete_and_ring_counts() {
    let t = run(NetworkModel::Complete, 7, 1);
    assert_eq!(t.len(), 21);
    assert_simple(7, &t);
    let t = run(NetworkModel::RingLattice { k: 4 }, 10, 1);
    assert_eq!(t.len(), 20);
    assert_simple(10, &t);
    assert!(degrees(10, &t).iter().all(|&d| d == 4));
}

#[test]
fn erdos_renyi_gnp_mean_degree() {
    // n = 20000, mean degree 8: ties ~ Binomial(C(n,2), p), sd ~ 200; allow 5 sd.
    let n = 20_000;
    let t = run(NetworkModel::ErdosRenyi { mean_degree: 8.0 }, n, 3);
    assert_simple(n, &t);
    let expected = n as f64 * 8.0 / 2.0;
    assert!(
        (t.len() as f64 - expected).abs() < 5.0 * expected.sqrt(),
        "{}",
        t.len()
    );
    let p = run(NetworkModel::ErdosRenyiP { p: 8.0 / 19_999.0 }, n, 3);
    assert_eq!(
        p, t,
        "G(n,p) by p and by mean degree agree for the same p and stream"
    );
    assert_eq!(run(NetworkModel::ErdosRenyiP { p: 1.0 }, 6, 1).len(), 15);
    assert!(run(NetworkModel::ErdosRenyiP { p: 0.0 }, 6, 1).is_empty());
}

#[test]
fn erdos_renyi_gnm_exact_count_sparse_and_dense() {
    let t = run(NetworkModel::ErdosRenyiM { ties: 5000 }, 2000, 4);
    assert_eq!(t.len(), 5000);
    assert_simple(2000, &t);
    let t = run(NetworkModel::ErdosRenyiM { ties: 40 }, 10, 4);
    assert_eq!(t.len(), 40);
    assert_simple(10, &t);
    let kind = vec![0u16; 10];
    let err = generate(
        &NetworkModel::ErdosRenyiM { ties: 46 },
        &Nodes {
            kind: &kind,
            place: &kind,
        },
        &mut rng(1),
    );
    assert!(matches!(err, Err(GenerateError::Invalid { .. })));
}

#[test]
fn watts_strogatz_keeps_tie_count_and_rewires_about_p() {
    let n = 5000;
    let t = run(NetworkModel::WattsStrogatz { k: 10, p: 0.1 }, n, 5);
    assert_eq!(t.len(), n * 5);
    assert_simple(n, &t);
    // Rewired ties: not between ring neighbours within 5 steps. Expected ~ 0.1 x 25000
    // (a rewired tie lands back within the ring with probability ~10/n); sd ~ 47; 5 sd.
    let far = t
        .iter()
        .filter(|x| {
            let d = (x.a as i64 - x.b as i64).unsigned_abs() as usize;
            d.min(n - d) > 5
        })
        .count() as f64;
    assert!((far - 2500.0).abs() < 240.0, "{far}");
    assert_eq!(
        run(NetworkModel::WattsStrogatz { k: 4, p: 0.0 }, 12, 5).len(),
        24
    );
}

#[test]
fn barabasi_albert_counts_and_degree_sum() {
    let (n, m) = (3000, 4);
    let t = run(NetworkModel::BarabasiAlbert { m: m as u32 }, n, 6);
    assert_eq!(t.len(), m * (n - m));
    assert_simple(n, &t);
    let d = degrees(n, &t);
    assert_eq!(
        d.iter().map(|&x| x as usize).sum::<usize>(),
        2 * m * (n - m)
    );
    // Every newcomer has at least m ties; hubs emerge (max degree far above the mean 8).
    assert!(d[m + 1..].iter().all(|&x| x as usize >= m));
    assert!(*d.iter().max().unwrap() > 60);
}

#[test]
fn stochastic_block_mixing_shares() {
    // 4 kinds x 5 places x 100 organisations; mean degree 10.
    let n = 2000;
    let kind: Vec<u16> = (0..n).map(|i| (i % 4) as u16).collect();
    let place: Vec<u16> = (0..n).map(|i| ((i / 4) % 5) as u16).collect();
    let mixing = Mixing::default();
    let model = NetworkModel::StochasticBlock {
        mean_degree: 10.0,
        mixing: mixing.clone(),
    };
    let nodes = Nodes {
        kind: &kind,
        place: &place,
    };
    let t = generate(&model, &nodes, &mut rng(7)).unwrap();
    assert_simple(n, &t);
    let total = t.len() as f64;
    assert!((total - 10_000.0).abs() < 500.0, "{total}");
    let mut class = [0f64; 4];
    for x in &t {
        let (a, b) = (x.a as usize, x.b as usize);
        let c = (place[a] != place[b]) as usize * 2 + (kind[a] != kind[b]) as usize;
        class[c] += 1.0;
    }
    let want = [
        mixing.same_place_same_kind,
        mixing.same_place_other_kind,
        mixing.other_place_same_kind,
        mixing.other_place_other_kind,
    ];
    for c in 0..4 {
        let e = want[c] * 10_000.0;
        assert!(
            (class[c] - e).abs() < 5.0 * e.sqrt() + 5.0,
            "class {c}: {} vs {e}",
            class[c]
        );
    }
    assert_eq!(
        generate(&model, &nodes, &mut rng(7)).unwrap(),
        t,
        "deterministic"
    );
    // One place only: other-place shares are dropped and the rest rescaled.
    let one = vec![0u16; n];
    let t1 = generate(
        &model,
        &Nodes {
            kind: &kind,
            place: &one,
        },
        &mut rng(7),
    )
    .unwrap();
    assert_simple(n, &t1);
    assert!((t1.len() as f64 - 10_000.0).abs() < 500.0);
}

#[test]
fn configuration_model_is_erased_and_counted() {
    let degrees_in = vec![3u32, 3, 2, 2, 2, 1, 1];
    let (t, (loops, repeats)) = configuration(&degrees_in, &mut rng(8)).unwrap();
    assert_simple(7, &t);
    assert_eq!(t.len() as u64 + loops + repeats, 7);
    let d = degrees(7, &t);
    assert!(d.iter().zip(&degrees_in).all(|(a, b)| a <= b));
    assert!(configuration(&[1, 1, 1], &mut rng(8)).is_err(), "odd sum");
    let n = 5000;
    let t = run(
        NetworkModel::Configuration {
            degree: Dist::Fixed(6.0),
        },
        n,
        9,
    );
    assert_simple(n, &t);
    // 15000 stub pairs; erasure loses about (k-1)^2/4 + (k-1)/2 ~ 9 pairs on average.
    assert!(t.len() > 14_950 && t.len() <= 15_000, "{}", t.len());
    let kind = vec![0u16; 3];
    assert!(generate(
        &NetworkModel::ConfigurationDegrees {
            degrees: vec![1, 1]
        },
        &Nodes {
            kind: &kind,
            place: &kind
        },
        &mut rng(1)
    )
    .is_err());
}

#[test]
fn every_generator_is_deterministic_and_seed_sensitive() {
    let models = [
        NetworkModel::ErdosRenyi { mean_degree: 5.0 },
        NetworkModel::ErdosRenyiM { ties: 1500 },
        NetworkModel::WattsStrogatz { k: 6, p: 0.2 },
        NetworkModel::BarabasiAlbert { m: 3 },
        NetworkModel::Configuration {
            degree: Dist::Uniform { lo: 1.0, hi: 8.0 },
        },
    ];
    for m in models {
        let a = run(m.clone(), 600, 11);
        assert_eq!(a, run(m.clone(), 600, 11), "{m:?}");
        assert_ne!(a, run(m.clone(), 600, 12), "{m:?}");
        assert_simple(600, &a);
    }
}

#[test]
fn weights_and_strong_triadic_closure() {
    // Path 0-1-2 with strong ties: closure must add 0-2; with a weak tie it must not.
    let t = |a, b, w| TieSpec {
        a,
        b,
        weight: w,
        person_dependent: false,
    };
    let mut ties = vec![t(0, 1, 0.9), t(1, 2, 0.8), t(2, 3, 0.1)];
    let added = strong_triadic_closure(4, &mut ties, 0.5, 1.0, &mut rng(1));
    assert_eq!(added, 1);
    assert_eq!((ties[3].a, ties[3].b), (0, 2));
    let mut ties = vec![t(0, 1, 0.9), t(1, 2, 0.3)];
    assert_eq!(
        strong_triadic_closure(3, &mut ties, 0.5, 1.0, &mut rng(1)),
        0
    );
    // Weights drawn in tie order are reproducible and within the uniform's range.
    let mut a = run(NetworkModel::RingLattice { k: 4 }, 50, 1);
    let mut b = a.clone();
    let d = Dist::Uniform { lo: 0.2, hi: 0.6 };
    draw_weights(&mut a, &d, &mut rng(3));
    draw_weights(&mut b, &d, &mut rng(3));
    assert_eq!(a, b);
    assert!(a.iter().all(|x| (0.2..0.6).contains(&x.weight)));
    // The whole recipe: structure does not depend on the weight distribution.
    let kind = vec![0u16; 300];
    let nodes = Nodes {
        kind: &kind,
        place: &kind,
    };
    let mut spec = NetworkSpec {
        model: NetworkModel::WattsStrogatz { k: 6, p: 0.1 },
        strong_triadic_closure: 1.0,
        weights: Dist::Uniform { lo: 0.0, hi: 1.0 },
        ..NetworkSpec::default()
    };
    let key = replicate_key(5, 2);
    let x = build_ties(&spec, &nodes, &key).unwrap();
    assert!(x.len() > 900, "closure added ties");
    assert_simple(300, &x);
    spec.weights = Dist::Uniform { lo: 0.0, hi: 0.4 };
    spec.strong_triadic_closure = 0.0;
    let y = build_ties(&spec, &nodes, &key).unwrap();
    assert_eq!(y.len(), 900);
    let pairs = |v: &[TieSpec]| v.iter().map(|t| (t.a, t.b)).collect::<Vec<_>>();
    assert_eq!(pairs(&x[..900]), pairs(&y));
}
