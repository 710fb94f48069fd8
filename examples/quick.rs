use changenet::{model, plan::Plan, scenario};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let sc = scenario::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    let plan = Plan::new(sc, ".".into()).unwrap();
    for r in 0..plan.scenario.replicates.min(1) {
        let t = std::time::Instant::now();
        let mut n = 0;
        let out = model::run_replicate(&plan, r, &mut |rec| {
            if rec.step % 24 == 0 {
                println!("{:?}", rec);
            }
            n += 1;
        });
        println!("{:?} in {:?}", out, t.elapsed());
    }
}
