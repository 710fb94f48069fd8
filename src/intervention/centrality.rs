//! Network measures that targeting ranks organisations by: betweenness centrality (Brandes
//! 2001) and Burt's (1992) constraint, both unweighted on the live ties, as networkx
//! computes them (`betweenness_centrality(normalized=False)`, `constraint`).
//!
//! These are simple serial versions kept here so targeting does not wait on the shared
//! metrics module (src/network/metrics.rs, branch `network`), which has the same
//! signatures; at merge these can be replaced by calls to it.

use std::collections::VecDeque;

use crate::network::Network;

/// Betweenness of every organisation: the number of shortest paths between other pairs
/// that pass through it (each unordered pair counted once). O(n m).
pub fn betweenness(net: &Network) -> Vec<f64> {
    let all: Vec<u32> = (0..net.n as u32).collect();
    betweenness_from(net, &all)
}

/// Betweenness accumulated from the given source organisations only (Brandes & Pich 2007):
/// with every organisation as a source it is exact; with a uniform sample of k sources,
/// multiplying by n / k estimates it (rankings need no scaling).
pub fn betweenness_from(net: &Network, sources: &[u32]) -> Vec<f64> {
    let n = net.n;
    let mut bc = vec![0.0f64; n];
    let mut sigma = vec![0f64; n];
    let mut dist = vec![-1i64; n];
    let mut delta = vec![0f64; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut queue = VecDeque::new();
    for &s in sources {
        let s = s as usize;
        order.clear();
        sigma.iter_mut().for_each(|x| *x = 0.0);
        dist.iter_mut().for_each(|x| *x = -1);
        delta.iter_mut().for_each(|x| *x = 0.0);
        sigma[s] = 1.0;
        dist[s] = 0;
        queue.push_back(s as u32);
        while let Some(v) = queue.pop_front() {
            order.push(v);
            let dv = dist[v as usize];
            for &w in net.neighbours(v as usize) {
                let wu = w as usize;
                if dist[wu] < 0 {
                    dist[wu] = dv + 1;
                    queue.push_back(w);
                }
                if dist[wu] == dv + 1 {
                    sigma[wu] += sigma[v as usize];
                }
            }
        }
        // Dependencies accumulate from the farthest back: a predecessor of w is a
        // neighbour one step closer to s.
        for &w in order.iter().rev() {
            let wu = w as usize;
            for &v in net.neighbours(wu) {
                let vu = v as usize;
                if dist[vu] == dist[wu] - 1 {
                    delta[vu] += sigma[vu] / sigma[wu] * (1.0 + delta[wu]);
                }
            }
            if wu != s {
                bc[wu] += delta[wu];
            }
        }
    }
    // Each unordered pair was counted from both ends.
    bc.iter_mut().for_each(|x| *x /= 2.0);
    bc
}

/// Burt's constraint of every organisation, `sum_j (p_ij + sum_q p_iq p_qj)^2` over its
/// neighbours j, with `p_ij = 1 / degree(i)` for an unweighted tie; NaN for an organisation
/// without ties (undefined, as in networkx). Low constraint marks a broker.
pub fn constraint(net: &Network) -> Vec<f64> {
    let n = net.n;
    let mut out = vec![f64::NAN; n];
    // inv_deg_of_nbr[q] = 1/k_q while q is a neighbour of the current i, else 0.
    let mut mark = vec![0f64; n];
    for (i, c) in out.iter_mut().enumerate() {
        let ki = net.degree(i);
        if ki == 0 {
            continue;
        }
        let pi = 1.0 / ki as f64;
        for &q in net.neighbours(i) {
            mark[q as usize] = 1.0 / net.degree(q as usize) as f64;
        }
        let mut total = 0.0;
        for &j in net.neighbours(i) {
            // Indirect: i -> q -> j over q tied to both.
            let indirect: f64 = net
                .neighbours(j as usize)
                .iter()
                .map(|&q| mark[q as usize])
                .sum::<f64>()
                * pi;
            let local = pi + indirect;
            total += local * local;
        }
        for &q in net.neighbours(i) {
            mark[q as usize] = 0.0;
        }
        *c = total;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::TieSpec;

    fn net(n: usize, pairs: &[(u32, u32)]) -> Network {
        let ties: Vec<TieSpec> = pairs
            .iter()
            .map(|&(a, b)| TieSpec {
                a,
                b,
                weight: 1.0,
                person_dependent: false,
            })
            .collect();
        Network::from_ties(n, &ties, &[], &[]).unwrap()
    }

    #[test]
    fn betweenness_of_a_path_and_a_star() {
        // Path 0-1-2-3: node 1 lies on (0,2), (0,3): 2; node 2 likewise.
        assert_eq!(
            betweenness(&net(4, &[(0, 1), (1, 2), (2, 3)])),
            vec![0.0, 2.0, 2.0, 0.0]
        );
        // Star of 5: the centre is on all C(4,2) = 6 leaf pairs.
        let b = betweenness(&net(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]));
        assert_eq!(b, vec![6.0, 0.0, 0.0, 0.0, 0.0]);
        // A 4-cycle: each pair of opposite nodes has two paths, half through each.
        let c = betweenness(&net(4, &[(0, 1), (1, 2), (2, 3), (0, 3)]));
        assert!(c.iter().all(|&x| (x - 0.5).abs() < 1e-12), "{c:?}");
    }

    #[test]
    fn constraint_matches_networkx() {
        // networkx 3.x: nx.constraint(nx.star_graph(3)) = {0: 1/3, 1: 1, 2: 1, 3: 1}.
        let s = constraint(&net(4, &[(0, 1), (0, 2), (0, 3)]));
        assert!((s[0] - 1.0 / 3.0).abs() < 1e-12 && (s[1] - 1.0).abs() < 1e-12);
        // Triangle: each node (1/2 + 1/2 * 1/2)^2 * 2 = 1.125.
        let t = constraint(&net(3, &[(0, 1), (1, 2), (0, 2)]));
        assert!(t.iter().all(|&x| (x - 1.125).abs() < 1e-12), "{t:?}");
        assert!(constraint(&net(2, &[]))[0].is_nan());
    }
}
