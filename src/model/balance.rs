//! Reciprocity balances of ties (MODEL.md sections 6-7), kept in closed form.
//!
//! Each step a tie's balance moves `shift` of the way towards the end with active
//! improvers (towards +1 when its `a` gives, -1 when its `b` does), or towards 0 when both
//! ends have them; it stands still when neither has, or when an end is withdrawn. Most
//! moving ties have one improving end: they *lean*, and after `n` steps in that mode a
//! balance that was `r` (seen from the giver) is `1 - q^n (1 - r)`, with `q = 1 - shift`.
//! So a leaning tie is not visited each step: its balance is stored as of the step its
//! mode last changed (its anchor) and worked out when read, and a change of an end's
//! standing costs the end's degree instead of every step costing every leaning tie.
//!
//! What a leaning tie adds to the giving sums of its ends (MODEL.md section 6: negative
//! reciprocity) is kept in two parts, a constant and a decaying one. The giver gives
//! `w - q^n w (1 - r)`; before that turns positive (a balance that leaned the other way
//! first), the receiver gives `q^n w (1 - r) - w`. Every decaying part decays by the same
//! `q` each step, so an organisation's decaying parts are kept as one sum in units of
//! `q^(anchor - epoch)` and read multiplied by `q^(clock - epoch)` ([`Balances::now`]);
//! when that factor gets small the sums are rescaled and the epoch moves on. The powers of
//! `q` come from one table, made by repeated multiplication, so they never increase with
//! the exponent and a balance that has crossed zero stays crossed. The step at which a
//! balance crosses zero, moving its share from the receiver's sum to the giver's, is
//! estimated when the tie starts leaning (from below), and the tie waits in a queue until
//! then; it is checked each step from there until it crosses.
//!
//! Ties between two improving members are *shared*: their weights are pulled towards full
//! strength as well, which changes the weight sums at their ends, so they are flagged
//! ([`crate::network::SHARED`]) and visited each step (src/model/ties.rs). Every other tie
//! stands *still*.

use std::collections::BTreeMap;

use super::state::{IMPROVING, WITHDRAWN};

/// How a tie's balance moves, given its ends' standings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// It does not move (no improver at an end, or an end withdrawn, or no exchange).
    Still,
    /// Both ends are improving members: it moves towards 0 and the tie is pulled, step by
    /// step.
    Shared,
    /// One end is an improving member and the other a member: it moves towards the giver,
    /// in closed form.
    Leaning { a_gives: bool },
}

/// What a tie adds to one end's giving: `base + decaying * now` (see the module doc).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Share {
    pub base: f64,
    pub decaying: f64,
}

impl Share {
    fn minus(self, other: Share) -> Share {
        Share {
            base: self.base - other.base,
            decaying: self.decaying - other.decaying,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.base == 0.0 && self.decaying == 0.0
    }
}

/// What moving one tie from one mode to another changes (see [`Balances::transition`]).
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    /// The tie's balance now, to store with the current step as its anchor.
    pub balance: f32,
    /// What the giving sums of `a` and of `b` change by.
    pub change: [Share; 2],
    /// The step at which to check whether the balance has crossed zero, when it leans and
    /// has yet to.
    pub check_at: Option<u32>,
    /// Whether the tie has just become shared (`Some(true)`) or stopped being shared
    /// (`Some(false)`).
    pub sharing: Option<bool>,
}

/// What a leaning tie queued for its crossing is to do now ([`Balances::due`]).
#[derive(Debug, Clone, Copy)]
pub enum Due {
    /// Its balance crosses zero now: these change the giving of `a` and of `b`.
    Cross([Share; 2]),
    /// Not yet: check again at this step.
    Later(u32),
    /// Nothing: it no longer leans, or crossed before, or has been re-anchored.
    Stale,
}

/// A crossing age standing for "never" (no exchange, or too far to matter).
const NEVER: u32 = u32::MAX / 4;

/// Below this `q^(clock - epoch)` the decaying sums are rescaled, so that the units of new
/// shares (`q^(epoch - anchor)`) stay far from overflow.
const RESCALE_BELOW: f64 = 1e-100;

/// The balances' clock, the decaying parts of every organisation's giving, every tie's
/// anchor and the queue of crossings.
#[derive(Debug, Clone)]
pub struct Balances {
    /// Whether ties exchange at all (reinforcement or reciprocity on).
    on: bool,
    /// `1 - shift`.
    q: f64,
    /// Exchange steps taken.
    pub clock: u32,
    /// The step the decaying sums are in units of.
    epoch: u32,
    /// `q^(clock - epoch)`.
    now: f64,
    /// `q^n` for `n` up to the clock, each the one before times `q`, and their inverses.
    powers: Vec<f64>,
    inverse_powers: Vec<f64>,
    /// `-ln q`, for estimating crossings.
    log_rate: f64,
    /// Per tie: the step its stored balance is of (meaningful while it leans).
    pub anchor: Vec<u32>,
    /// Per organisation: the decaying part of its giving, in units of `q^-epoch`.
    pub decaying: Vec<f64>,
    /// Ties whose balance crosses zero at a step, by step (may hold stale entries, checked
    /// when due).
    crossings: BTreeMap<u32, Vec<u32>>,
}

impl Balances {
    /// No exchange on a network of `n` organisations: every tie stands still.
    pub fn off(n: usize) -> Self {
        Balances {
            on: false,
            q: 1.0,
            clock: 0,
            epoch: 0,
            now: 1.0,
            powers: vec![1.0],
            inverse_powers: vec![1.0],
            log_rate: 0.0,
            anchor: Vec::new(),
            decaying: vec![0.0; n],
            crossings: BTreeMap::new(),
        }
    }

    /// Ties exchange from now on, their balances moving `shift` of the way a step, on a
    /// tie table of `ties` ties with room for `room` (the anchors get the same room, so
    /// they do not copy themselves to grow at the first new tie).
    pub fn start(&mut self, shift: f64, ties: usize, room: usize) {
        self.on = true;
        self.anchor
            .reserve_exact(room.saturating_sub(self.anchor.len()));
        self.q = (1.0 - shift).clamp(0.0, 1.0);
        self.log_rate = -self.q.ln();
        self.anchor.resize(ties, self.clock);
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    /// The factor the decaying sums are read with.
    #[inline]
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Room for `ties` ties (new ones anchored now).
    pub fn cover(&mut self, ties: usize) {
        if self.on && self.anchor.len() < ties {
            self.anchor.resize(ties, self.clock);
        }
    }

    /// The mode of a tie whose ends have standings `sa` and `sb`.
    #[inline]
    pub fn mode(&self, sa: u8, sb: u8) -> Mode {
        if !self.on || sa == WITHDRAWN || sb == WITHDRAWN {
            return Mode::Still;
        }
        match (sa == IMPROVING, sb == IMPROVING) {
            (true, true) => Mode::Shared,
            // Without a shift a leaning balance would not move.
            (a_gives, b_gives) if a_gives != b_gives && self.q < 1.0 => Mode::Leaning { a_gives },
            _ => Mode::Still,
        }
    }

    /// `q^n`, for `n` up to the clock.
    #[inline]
    fn power(&self, n: u32) -> f64 {
        self.powers[n as usize]
    }

    /// Whether a leaning balance that was `r` seen from the giver has crossed zero (or
    /// never was below) after `age` steps (at most the clock): `q^age (1 - r) <= 1`.
    #[inline]
    pub fn crossed(&self, r: f64, age: u32) -> bool {
        r >= 0.0 || self.power(age) * (1.0 - r) <= 1.0
    }

    /// Steps from its anchor at which to first check whether a leaning balance that was `r`
    /// (below zero, seen from the giver) has crossed: an estimate a step short of the
    /// crossing, so never past it.
    fn first_check(&self, r: f64) -> u32 {
        if self.q <= 0.0 {
            return 1;
        }
        let steps = ((1.0 - r).ln() / self.log_rate).floor() - 1.0;
        if steps < NEVER as f64 {
            (steps as u32).max(1)
        } else {
            NEVER
        }
    }

    /// The balance now (seen from `a`) of a tie in mode `mode` whose stored balance is `r`,
    /// anchored at `anchor`.
    #[inline]
    pub fn balance(&self, mode: Mode, r: f32, anchor: u32) -> f32 {
        match mode {
            Mode::Leaning { a_gives } if self.clock != anchor => {
                let sign = if a_gives { 1.0 } else { -1.0 };
                let from_giver = sign * r as f64;
                let age = self.clock - anchor;
                (sign * (1.0 - self.power(age) * (1.0 - from_giver))) as f32
            }
            _ => r,
        }
    }

    /// What a tie of scaled weight `w` in mode `mode`, with stored balance `r` anchored at
    /// `anchor`, adds to the giving of `a` and of `b` now; `members` are whether `a` and
    /// `b` are members (a still tie counts towards an end's giving only when the other end
    /// is a member).
    #[inline]
    pub fn shares(
        &self,
        mode: Mode,
        r: f32,
        anchor: u32,
        w: f64,
        members: [bool; 2],
    ) -> [Share; 2] {
        match mode {
            Mode::Leaning { a_gives } => {
                let from_giver = if a_gives { r as f64 } else { -(r as f64) };
                let crossed = self.crossed(from_giver, self.clock - anchor);
                self.leaning_shares(a_gives, from_giver, anchor, w, crossed)
            }
            _ => {
                let r = r as f64;
                let share = |other_member: bool, gives: f64| Share {
                    base: if other_member {
                        w * gives.max(0.0)
                    } else {
                        0.0
                    },
                    decaying: 0.0,
                };
                [share(members[1], r), share(members[0], -r)]
            }
        }
    }

    /// [`Balances::shares`] of a leaning tie, before or after its balance crosses zero.
    fn leaning_shares(
        &self,
        a_gives: bool,
        from_giver: f64,
        anchor: u32,
        w: f64,
        crossed: bool,
    ) -> [Share; 2] {
        let units = if anchor >= self.epoch {
            self.inverse_powers[(anchor - self.epoch) as usize]
        } else {
            self.power(self.epoch - anchor)
        };
        let x = w * (1.0 - from_giver) * units;
        let (giver, receiver) = if crossed {
            (
                Share {
                    base: w,
                    decaying: -x,
                },
                Share::default(),
            )
        } else {
            (
                Share::default(),
                Share {
                    base: -w,
                    decaying: x,
                },
            )
        };
        if a_gives {
            [giver, receiver]
        } else {
            [receiver, giver]
        }
    }

    /// What moving a tie (scaled weight `w`, stored balance `r` anchored at `anchor`, ends'
    /// membership `members`) from mode `from` to mode `to` now changes.
    #[inline]
    pub fn transition(
        &self,
        from: Mode,
        to: Mode,
        r: f32,
        anchor: u32,
        w: f64,
        members: [bool; 2],
    ) -> Transition {
        let balance = self.balance(from, r, anchor);
        let old = self.shares(from, r, anchor, w, members);
        let new = self.shares(to, balance, self.clock, w, members);
        let check_at = match to {
            Mode::Leaning { a_gives } => {
                let from_giver = if a_gives { balance } else { -balance } as f64;
                (from_giver < 0.0).then(|| self.clock.saturating_add(self.first_check(from_giver)))
            }
            _ => None,
        };
        Transition {
            balance,
            change: [new[0].minus(old[0]), new[1].minus(old[1])],
            check_at,
            sharing: match (from == Mode::Shared, to == Mode::Shared) {
                (false, true) => Some(true),
                (true, false) => Some(false),
                _ => None,
            },
        }
    }

    /// Notes that a leaning tie's balance is to be checked for its crossing at step `at`.
    pub fn schedule(&mut self, tie: u32, at: u32) {
        self.crossings.entry(at).or_default().push(tie);
    }

    /// One step of exchange: the clock moves on (rescaling the decaying sums when due), and
    /// the ties whose balance may cross zero at the new step are returned, in order, each
    /// once (check each with [`Balances::due`]).
    pub fn advance(&mut self) -> Vec<u32> {
        if !self.on {
            return Vec::new();
        }
        self.clock += 1;
        while self.powers.len() <= self.clock as usize {
            let last = self.powers[self.powers.len() - 1];
            self.powers.push(last * self.q);
            self.inverse_powers.push(1.0 / (last * self.q));
        }
        self.now = self.power(self.clock - self.epoch);
        if self.now < RESCALE_BELOW {
            use rayon::prelude::*;
            let now = self.now;
            self.decaying
                .par_chunks_mut(super::par::BLOCK)
                .for_each(|d| d.iter_mut().for_each(|x| *x *= now));
            self.epoch = self.clock;
            self.now = 1.0;
        }
        let mut due = self.crossings.remove(&self.clock).unwrap_or_default();
        due.sort_unstable();
        due.dedup();
        due
    }

    /// What a tie queued for its crossing now is to do: it leans in `mode`, with stored
    /// balance `r` anchored at `anchor` and scaled weight `w`.
    pub fn due(&self, mode: Mode, r: f32, anchor: u32, w: f64) -> Due {
        let Mode::Leaning { a_gives } = mode else {
            return Due::Stale;
        };
        let from_giver = if a_gives { r as f64 } else { -(r as f64) };
        let age = self.clock - anchor;
        if !self.crossed(from_giver, age) {
            // A tie re-anchored since it was queued waits for its own first check.
            let first = anchor.saturating_add(self.first_check(from_giver));
            return Due::Later(first.max(self.clock + 1));
        }
        if age == 0 || self.crossed(from_giver, age - 1) {
            return Due::Stale;
        }
        let before = self.leaning_shares(a_gives, from_giver, anchor, w, false);
        let after = self.leaning_shares(a_gives, from_giver, anchor, w, true);
        Due::Cross([after[0].minus(before[0]), after[1].minus(before[1])])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::MEMBER;

    fn balances(shift: f64) -> Balances {
        let mut b = Balances::off(2);
        b.start(shift, 1, 1);
        b
    }

    /// A tie that starts leaning, followed through the queue of crossings for 400 steps:
    /// its closed-form balance, and the giving of both ends read as `base + decaying *
    /// now`, agree with moving the balance step by step, through the crossing of zero and
    /// the rescaling of the decaying sums.
    #[test]
    fn leaning_balance_matches_steps() {
        let mut rescaled = false;
        for shift in [0.03, 0.2, 0.7] {
            for r0 in [-1.0f32, -0.6, -0.01, 0.0, 0.4, 1.0] {
                let mut b = balances(shift);
                let mode = b.mode(MEMBER, IMPROVING);
                assert_eq!(mode, Mode::Leaning { a_gives: false });
                let w = 0.8;
                let start = b.transition(Mode::Still, mode, r0, 0, w, [true, true]);
                assert_eq!(start.balance, r0);
                let mut base = [0.0; 2];
                // What the tie gave as a still tie, then the change to leaning.
                let still = b.shares(Mode::Still, r0, 0, w, [true, true]);
                for e in 0..2 {
                    base[e] = still[e].base + start.change[e].base;
                    b.decaying[e] = start.change[e].decaying;
                }
                if let Some(at) = start.check_at {
                    b.schedule(0, at);
                }
                let mut r = r0 as f64;
                for step in 1..400u32 {
                    for t in b.advance() {
                        assert_eq!(t, 0);
                        match b.due(mode, r0, 0, w) {
                            Due::Cross(c) => {
                                for e in 0..2 {
                                    base[e] += c[e].base;
                                    b.decaying[e] += c[e].decaying;
                                }
                            }
                            Due::Later(at) => b.schedule(0, at),
                            Due::Stale => {}
                        }
                    }
                    r += shift * (-1.0 - r);
                    let closed = b.balance(mode, r0, 0) as f64;
                    assert!(
                        (closed - r).abs() < 1e-6,
                        "{shift} {r0} {step}: {closed} {r}"
                    );
                    let read = |e: usize| base[e] + b.decaying[e] * b.now();
                    let (ra, rb) = (w * r.max(0.0), w * (-r).max(0.0));
                    assert!(
                        (read(0) - ra).abs() < 1e-9,
                        "{shift} {r0} {step}: a {}",
                        read(0)
                    );
                    assert!(
                        (read(1) - rb).abs() < 1e-9,
                        "{shift} {r0} {step}: b {}",
                        read(1)
                    );
                }
                rescaled |= b.epoch > 0;
            }
        }
        assert!(rescaled, "the decaying sums were never rescaled");
    }

    /// A balance that has crossed zero stays crossed: the table of powers never increases.
    #[test]
    fn crossing_is_for_good() {
        let mut b = balances(0.013);
        for _ in 0..2000 {
            b.advance();
        }
        for r in [-1.0, -0.5, -1e-6] {
            let first = (0..=b.clock).find(|&n| b.crossed(r, n)).unwrap();
            assert!((first..=b.clock).all(|n| b.crossed(r, n)));
            assert!(b.first_check(r) <= first, "{r}: checked after the crossing");
        }
    }
}
