//! Parallelism inside one run: the decision phase of a sub-model split over fixed blocks of
//! organisations.
//!
//! A synchronous sub-model first decides, for every organisation, from the state as it was
//! at the start of the sub-model, then applies the decisions in organisation order. The
//! decisions of different organisations are independent (each draws from its own keyed
//! random numbers), so blocks of organisations can be decided on different threads. The
//! blocks are a fixed size, never a function of the thread count, and their decisions are
//! concatenated in block order, so the result is the same bytes on any number of threads.
//! Small runs (and the blocks of a run already busy on every thread) simply run in turn.

use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

/// Organisations per block: big enough that handing a block to a thread costs little
/// against deciding it, small enough to balance two threads on 100,000 organisations.
pub const BLOCK: usize = 16_384;

/// The blocks of `0..n`, in order.
fn blocks(n: usize) -> impl IndexedParallelIterator<Item = Range<usize>> {
    (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(move |b| b * BLOCK..((b + 1) * BLOCK).min(n))
}

/// The decisions of every block, in block order (kept apart: joining them would copy
/// them all once more).
pub struct Decisions<T>(Vec<Vec<T>>);

impl<T> Decisions<T> {
    /// Every decision in organisation order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.0.iter().flatten()
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Vec::is_empty)
    }

    /// Every decision in organisation order, in one vector.
    pub fn into_vec(self) -> Vec<T> {
        let mut all = Vec::with_capacity(self.len());
        for p in self.0 {
            all.extend(p);
        }
        all
    }
}

/// The decisions of a run small enough for one block, decided on the calling thread
/// (handing a single block to the thread pool would only cost).
fn single<T>(decide: impl FnOnce(&mut Vec<T>)) -> Decisions<T> {
    let mut out = Vec::new();
    decide(&mut out);
    Decisions(vec![out])
}

/// Runs `decide` on every block in parallel and keeps each block's decisions, in block
/// order.
fn gather<B: Send, T: Send>(
    blocks: impl IndexedParallelIterator<Item = B>,
    decide: impl Fn(B, &mut Vec<T>) + Sync,
) -> Decisions<T> {
    Decisions(
        blocks
            .map(|block| {
                let mut out = Vec::new();
                decide(block, &mut out);
                out
            })
            .collect(),
    )
}

/// Decides every block of `0..n` with `decide` (which appends its decisions, in
/// organisation order, to the vector it is given) and returns all decisions in order.
pub fn decide<T: Send>(
    n: usize,
    decide: impl Fn(Range<usize>, &mut Vec<T>) + Sync,
) -> Decisions<T> {
    if n <= BLOCK {
        return single(|out| decide(0..n, out));
    }
    gather(blocks(n), decide)
}

/// Listed organisations per block in [`decide_listed`]: a listed organisation costs a scan
/// of its ties, many times the check of an unlisted one in a sweep.
pub const LIST_BLOCK: usize = 2048;

/// Like [`decide`], for the organisations of a list (in index order) instead of all: fixed
/// blocks of [`LIST_BLOCK`] entries, decisions in list order.
pub fn decide_listed<T: Send>(
    orgs: &[u32],
    decide: impl Fn(&[u32], &mut Vec<T>) + Sync,
) -> Decisions<T> {
    if orgs.len() <= LIST_BLOCK {
        return single(|out| decide(orgs, out));
    }
    gather(orgs.par_chunks(LIST_BLOCK), decide)
}

/// Whether the entries' organisations (`org`) are distinct and in index order, as
/// [`split_listed`] needs (callers that cannot promise it go one by one instead).
pub fn in_index_order<E>(list: &[E], org: impl Fn(&E) -> u32) -> bool {
    list.windows(2).all(|w| org(&w[0]) < org(&w[1]))
}

/// `values` cut where each block of [`LIST_BLOCK`] entries of `list` begins, as (first
/// index, slice), the entries' organisations (`org`) being distinct and in index order:
/// block `b` of the list reads and writes only its own slice, so the blocks can work on
/// all threads without sharing an element. The first slice starts at 0 and the last runs
/// to the end.
pub fn split_listed<'a, T, E>(
    mut values: &'a mut [T],
    list: &[E],
    org: impl Fn(&E) -> u32,
) -> Vec<(usize, &'a mut [T])> {
    let mut out = Vec::with_capacity(list.len().div_ceil(LIST_BLOCK));
    let mut lo = 0;
    for next in list.chunks(LIST_BLOCK).skip(1) {
        let at = org(&next[0]) as usize;
        let (part, rest) = std::mem::take(&mut values).split_at_mut(at - lo);
        out.push((lo, part));
        (values, lo) = (rest, at);
    }
    if !list.is_empty() {
        out.push((lo, values));
    }
    out
}

/// The values of `v` as cells that tasks on different threads can read and write in place:
/// for decisions that each read and write only their own elements (each element is then
/// touched by one task, so the order of tasks cannot matter). Loads and stores are relaxed:
/// plain moves on common processors.
pub fn cells(v: &mut [f32]) -> &[AtomicU32] {
    // SAFETY: `AtomicU32` has the same size, alignment and bit validity as `u32`, and so
    // as the bits of an `f32` (whose alignment is the same); the exclusive borrow of `v`
    // lasts as long as the view, so nothing reads or writes `v` other than through it.
    unsafe { &*(v as *mut [f32] as *const [AtomicU32]) }
}

/// [`cells`] for whole numbers.
pub fn cells_u32(v: &mut [u32]) -> &[AtomicU32] {
    // SAFETY: `AtomicU32` has the same size, alignment and bit validity as `u32`; the
    // exclusive borrow of `v` lasts as long as the view, as in [`cells`].
    unsafe { &*(v as *mut [u32] as *const [AtomicU32]) }
}

/// The value in cell `c` (see [`cells`]).
#[inline(always)]
pub fn get(c: &AtomicU32) -> f32 {
    f32::from_bits(c.load(Ordering::Relaxed))
}

/// Stores `x` in cell `c` (see [`cells`]).
#[inline(always)]
pub fn set(c: &AtomicU32, x: f32) {
    c.store(x.to_bits(), Ordering::Relaxed)
}

/// Tie entries (or other units of work) per segment in [`segments`]: enough to keep both
/// threads busy, few enough that a segment's decisions take tens of megabytes, not
/// hundreds. (Small in this crate's unit tests, so that their small networks take several
/// segments and the tests compare segmented and one-by-one results.)
pub const SEGMENT: usize = if cfg!(test) { 1 << 10 } else { 1 << 20 };

/// Splits `orgs` into consecutive segments whose `weight`s add up to at most `limit` (or
/// of one organisation, if it alone weighs more): a rule whose decisions read only what
/// their own application changes can decide and apply one segment after another, in
/// bounded memory, with the same result. The split depends on the weights alone.
pub fn segments(orgs: &[u32], weight: impl Fn(u32) -> usize, limit: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut sum) = (0, 0);
    for (k, &i) in orgs.iter().enumerate() {
        let w = weight(i);
        if sum + w > limit && k > start {
            out.push(start..k);
            (start, sum) = (k, 0);
        }
        sum += w;
    }
    if start < orgs.len() {
        out.push(start..orgs.len());
    }
    out
}

/// Indices per range in [`events`]; each range draws from its own window of the stream.
pub const EVENT_RANGE: usize = 1 << 16;

/// From this many expected candidates, the ranges of [`events`] run on all threads.
const PARALLEL_EVENTS: f64 = 8192.0;

/// The indices of `0..n` at which an event happens this step, each independently with
/// probability `prob(k)`, which must not exceed `bound`; in increasing order. The work is
/// proportional to `n * bound`, not to `n`: candidates come at rate `bound` by geometric
/// skipping, and each is kept with probability `prob(k) / bound` (thinning, which gives
/// every index exactly its own probability). Range `r` of [`EVENT_RANGE`] indices draws
/// from `window(r)`, so ranges can run on all threads with the same result; and every
/// candidate draws its acceptance number whatever its probability, so one index's state
/// never shifts the numbers another one sees.
pub fn events(
    n: usize,
    bound: f64,
    window: impl Fn(u64) -> crate::rng::SimRng + Sync,
    prob: impl Fn(usize) -> f64 + Sync,
) -> Vec<u32> {
    let bound = bound.min(1.0);
    if n == 0 || bound.is_nan() || bound <= 0.0 {
        return Vec::new();
    }
    let range = |r: usize| {
        let start = r * EVENT_RANGE;
        let len = EVENT_RANGE.min(n - start);
        let mut rng = window(r as u64);
        let candidates = crate::rng::bernoulli_indices(&mut rng, len, bound);
        let mut out = Vec::new();
        for c in candidates {
            let k = start + c;
            let u = crate::rng::unit(&mut rng);
            if u * bound < prob(k) {
                out.push(k as u32);
            }
        }
        out
    };
    let ranges = n.div_ceil(EVENT_RANGE);
    if ranges == 1 || (n as f64) * bound < PARALLEL_EVENTS {
        return (0..ranges).flat_map(range).collect();
    }
    let parts: Vec<Vec<u32>> = (0..ranges).into_par_iter().map(range).collect();
    parts.concat()
}

/// Like [`decide`], but each block also updates its own slice of `values` in place (for
/// rules whose new value of an organisation depends on nothing else that changes).
pub fn update<V: Send, T: Send>(
    values: &mut [V],
    update: impl Fn(usize, &mut [V], &mut Vec<T>) + Sync,
) -> Decisions<T> {
    if values.len() <= BLOCK {
        return single(|out| update(0, values, out));
    }
    gather(
        values.par_chunks_mut(BLOCK).enumerate(),
        |(b, chunk), out| update(b * BLOCK, chunk, out),
    )
}

/// Threads waiting in [`with_threads_awake`] (tests check that they are let go).
#[cfg(test)]
static KEPT_AWAKE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs `f` on this pool thread while the pool's other threads look for its work without
/// pause, for as long as `f` lasts: for one run that has the pool to itself.
///
/// A step alternates work on all threads with short stretches on one (applying decisions in
/// order). Left alone, a pool thread that finds nothing to do goes to sleep within
/// microseconds, and on a virtual machine one that has slept a millisecond can take as
/// long again to wake (the host may have given its processor to someone else): measured
/// on the 2-core test machine, a sizeable share of the parallel stretches then started on
/// one thread and ran on one, costing a 1M-organisation step about a tenth of its time.
/// Here the other threads instead run a loop that takes each task as it appears
/// (`rayon::yield_now`) until `f` returns (or panics). Only where the work is spread
/// changes, never what is computed. Called off a pool thread, or with a pool of one
/// thread, it simply runs `f`.
pub fn with_threads_awake<R>(f: impl FnOnce() -> R) -> R {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    let Some(me) = rayon::current_thread_index() else {
        return f();
    };
    if rayon::current_num_threads() < 2 {
        return f();
    }
    /// Tells the waiting threads to stop, also when `f` panics.
    struct Release(Arc<AtomicBool>);
    impl Drop for Release {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Release);
        }
    }
    let done = Arc::new(AtomicBool::new(false));
    let release = Release(done.clone());
    rayon::spawn_broadcast(move |ctx| {
        if ctx.index() == me {
            return;
        }
        #[cfg(test)]
        KEPT_AWAKE.fetch_add(1, Ordering::AcqRel);
        while !done.load(Ordering::Acquire) {
            if rayon::yield_now() != Some(rayon::Yield::Executed) {
                std::hint::spin_loop();
            }
        }
        #[cfg(test)]
        KEPT_AWAKE.fetch_sub(1, Ordering::AcqRel);
    });
    let r = f();
    drop(release);
    r
}

/// Sum of `values` in a fixed shape (eight running lanes, combined pairwise, then the
/// tail), which the compiler can vectorise; the same bytes on every machine and thread
/// count, unlike a reduction split by threads.
pub fn sum(values: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let mut chunks = values.chunks_exact(8);
    for c in &mut chunks {
        for (l, v) in lanes.iter_mut().zip(c) {
            *l += v;
        }
    }
    let pairs = [
        lanes[0] + lanes[4],
        lanes[1] + lanes[5],
        lanes[2] + lanes[6],
        lanes[3] + lanes[7],
    ];
    let mut total = (pairs[0] + pairs[2]) + (pairs[1] + pairs[3]);
    for v in chunks.remainder() {
        total += v;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With the other threads kept awake, work on all threads still runs on all of them
    /// and gives the same result; the waiting threads are let go when the run ends, also
    /// by a panic, so the pool goes on to other work.
    #[test]
    fn threads_kept_awake_take_the_work_and_are_let_go() {
        use std::collections::HashSet;
        use std::sync::Mutex;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let seen = Mutex::new(HashSet::new());
        let sum: u64 = pool.install(|| {
            with_threads_awake(|| {
                (0..200u32)
                    .into_par_iter()
                    .with_max_len(1)
                    .map(|x| {
                        seen.lock().unwrap().insert(std::thread::current().id());
                        std::thread::sleep(std::time::Duration::from_micros(200));
                        x as u64
                    })
                    .sum::<u64>()
            })
        });
        assert_eq!(sum, 199 * 200 / 2);
        assert!(seen.lock().unwrap().len() > 1);
        let caught = pool
            .install(|| std::panic::catch_unwind(|| with_threads_awake(|| panic!("run failed"))));
        assert!(caught.is_err());
        let start = std::time::Instant::now();
        while KEPT_AWAKE.load(Ordering::Acquire) > 0 {
            assert!(start.elapsed().as_secs() < 20, "threads still kept awake");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        // Off a pool thread it just runs.
        assert_eq!(with_threads_awake(|| 7), 7);
    }

    #[test]
    fn fixed_shape_sum_adds_up() {
        let v: Vec<f64> = (0..1003).map(|i| i as f64 * 0.5).collect();
        assert_eq!(sum(&v), 1002.0 * 1003.0 / 4.0);
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[1.5, 2.0]), 3.5);
    }

    /// Thinned events happen at each index's own rate (within 4 standard errors, over
    /// many steps), come back in order, and are the same on any number of threads.
    #[test]
    fn events_happen_at_each_index_rate_on_any_threads() {
        use crate::rng::{replicate_key, Draws, Purpose};
        let n = 3 * EVENT_RANGE + 1000;
        let key = replicate_key(5, 0);
        // Four groups of indices with probabilities 0, 0.01, 0.05 and the bound 0.1.
        let prob = |k: usize| [0.0, 0.01, 0.05, 0.1][k % 4];
        let run = |step: u32| {
            events(
                n,
                0.1,
                |w| Draws::window(&key, Purpose::Discontinuation, 0, step, w),
                prob,
            )
        };
        let mut counts = [0u64; 4];
        let steps = 20;
        for step in 0..steps {
            let got = run(step);
            assert!(got.windows(2).all(|w| w[0] < w[1]));
            for &k in &got {
                counts[k as usize % 4] += 1;
            }
        }
        for (g, &c) in counts.iter().enumerate() {
            let trials = (steps as usize * n / 4) as f64;
            let p = prob(g);
            let sd = (trials * p * (1.0 - p)).sqrt();
            assert!(
                (c as f64 - trials * p).abs() <= 4.0 * sd + 1e-9,
                "group {g}: {c} events in {trials} trials at {p}"
            );
        }
        let one = run(7);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert_eq!(pool.install(|| run(7)), one);
        }
        assert!(events(
            n,
            0.0,
            |w| Draws::window(&key, Purpose::Discontinuation, 0, 1, w),
            prob
        )
        .is_empty());
        // At bound 1 every index is a candidate and keeps its own probability.
        let all = events(
            1000,
            1.0,
            |w| Draws::window(&key, Purpose::Discontinuation, 0, 1, w),
            |_| 1.0,
        );
        assert_eq!(all, (0..1000).collect::<Vec<u32>>());
    }

    #[test]
    fn listed_blocks_get_slices_that_hold_their_organisations() {
        let orgs: Vec<u32> = (0..3 * LIST_BLOCK as u32 + 5).map(|k| 3 * k + 1).collect();
        let mut values: Vec<u32> = (0..orgs.len() as u32 * 3 + 9).collect();
        let len = values.len();
        let parts = split_listed(&mut values, &orgs, |&i| i);
        assert_eq!(parts.len(), 4);
        assert_eq!(parts.iter().map(|(_, s)| s.len()).sum::<usize>(), len);
        for ((lo, slice), block) in parts.into_iter().zip(orgs.chunks(LIST_BLOCK)) {
            for &i in block {
                assert_eq!(slice[i as usize - lo], i);
            }
        }
        assert!(split_listed(&mut values, &[], |&i: &u32| i).is_empty());
        // Lists it cannot cut: a repeat or a step back.
        assert!(in_index_order(&orgs, |&i| i));
        assert!(!in_index_order(&[1, 2, 2, 3], |&i: &u32| i));
        assert!(!in_index_order(&[1, 3, 2], |&i: &u32| i));
    }

    #[test]
    fn segments_cover_the_list_in_order_within_the_limit() {
        let orgs: Vec<u32> = (0..100).collect();
        let weight = |i: u32| if i == 50 { 40 } else { (i % 5) as usize };
        let parts = segments(&orgs, weight, 20);
        assert_eq!(parts.first().map(|r| r.start), Some(0));
        assert_eq!(parts.last().map(|r| r.end), Some(100));
        assert!(parts.windows(2).all(|w| w[0].end == w[1].start));
        for r in &parts {
            let total: usize = orgs[r.clone()].iter().map(|&i| weight(i)).sum();
            assert!(total <= 20 || r.len() == 1, "{r:?} weighs {total}");
        }
        assert!(parts.contains(&(50..51)));
        assert!(segments(&[], weight, 20).is_empty());
    }

    #[test]
    fn decisions_come_back_in_organisation_order_at_any_thread_count() {
        let n = 3 * BLOCK + 17;
        let serial: Vec<usize> = (0..n).filter(|i| i % 7 == 3).collect();
        for threads in [1, 2, 5] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got = pool
                .install(|| decide(n, |r, out| out.extend(r.filter(|i| i % 7 == 3))).into_vec());
            assert_eq!(got, serial);
            let mut values: Vec<usize> = (0..n).collect();
            let odd = pool.install(|| {
                update(&mut values, |start, chunk, out| {
                    for (k, v) in chunk.iter_mut().enumerate() {
                        *v *= 2;
                        if (start + k) % 2 == 1 {
                            out.push(start + k);
                        }
                    }
                })
            });
            assert_eq!(values, (0..n).map(|i| 2 * i).collect::<Vec<_>>());
            assert_eq!(
                odd.into_vec(),
                (0..n).filter(|i| i % 2 == 1).collect::<Vec<_>>()
            );
        }
    }
}
