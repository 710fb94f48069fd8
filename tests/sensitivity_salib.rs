//! The sensitivity maths against SALib on the same samples: Sobol indices on SALib's own
//! Saltelli sample (which our design reproduces), Morris indices on trajectories our design
//! wrote out. Reference values and the commands that made them: tests/fixtures/salib/.

use std::f64::consts::PI;
use std::path::Path;

use changenet::sensitivity::morris::{morris_indices, trajectories};
use changenet::sensitivity::sobol::{saltelli_points, sobol_indices};

const FIXTURES: &str = "tests/fixtures/salib";
/// Morris design of the fixture: trajectories, factors, levels, seed.
const MORRIS: (usize, usize, usize, u64) = (40, 3, 4, 2026);

fn ishigami(u: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|u| -PI + u * (2.0 * PI)).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

fn g_function(a: &[f64], x: &[f64]) -> f64 {
    a.iter()
        .zip(x)
        .map(|(a, x)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
        .product()
}

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() < 1e-9, "{what}[{i}]: ours {g}, SALib {w}");
    }
}

#[test]
fn sobol_indices_match_salib_on_its_own_sample() {
    let r = reference();
    for (name, k, f) in [
        ("ishigami", 3, &ishigami as &dyn Fn(&[f64]) -> f64),
        ("g_function", 8, &|x: &[f64]| {
            g_function(&[0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0], x)
        }),
    ] {
        let case = &r["sobol"][name];
        let n = case["N"].as_u64().unwrap() as usize;
        let x = saltelli_points(n, k).unwrap();
        // The first rows of SALib's sample (unit cube) are ours.
        for (i, row) in case["first_rows_unit"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            assert_close(&x[i], &numbers(row), &format!("{name} design row {i}"));
        }
        let y: Vec<f64> = x.iter().map(|p| f(p)).collect();
        let s = sobol_indices(&y, k, 1, 10).unwrap();
        let value = |v: &[changenet::sensitivity::Index]| -> Vec<f64> {
            v.iter().map(|i| i.value.unwrap()).collect()
        };
        assert_close(
            &value(&s.first),
            &numbers(&case["S1"]),
            &format!("{name} S1"),
        );
        assert_close(
            &value(&s.total),
            &numbers(&case["ST"]),
            &format!("{name} ST"),
        );
    }
}

#[test]
fn morris_indices_match_salib_on_our_trajectories() {
    let (r, k, levels, seed) = MORRIS;
    let x = trajectories(r, k, levels, seed).unwrap();
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("morris_design.csv")).unwrap();
    let written: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(
        x, written,
        "the seeded Morris design changed; regenerate the fixture"
    );
    let y: Vec<f64> = x.iter().map(|p| ishigami(p)).collect();
    let m = morris_indices(&x, &y, k, levels, seed, 10).unwrap();
    let case = &reference()["morris"]["ishigami"];
    let value = |v: &[changenet::sensitivity::Index]| -> Vec<f64> {
        v.iter().map(|i| i.value.unwrap()).collect()
    };
    assert_close(&value(&m.mu), &numbers(&case["mu"]), "mu");
    assert_close(&value(&m.mu_star), &numbers(&case["mu_star"]), "mu_star");
    assert_close(&value(&m.sigma), &numbers(&case["sigma"]), "sigma");
}

/// Writes the Morris design the SALib script reads (run with `--ignored` after changing it).
#[test]
#[ignore]
fn write_morris_design() {
    let (r, k, levels, seed) = MORRIS;
    let x = trajectories(r, k, levels, seed).unwrap();
    let mut text = String::from("x1,x2,x3\n");
    for p in &x {
        let row: Vec<String> = p.iter().map(|v| format!("{v:?}")).collect();
        text.push_str(&row.join(","));
        text.push('\n');
    }
    std::fs::write(Path::new(FIXTURES).join("morris_design.csv"), text).unwrap();
}
