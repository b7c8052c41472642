//! Nearest facilities: `kernels::nearest::nearest_k` (k = 1 and 3) with the index build,
//! points uniform over the generated city (`tepat_benches`).
//!
//! `cargo bench -p tepat-benches --bench nearest`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use geo::Coord;
use tepat_benches::{facilities, points, SEED_FACILITIES, SEED_POINTS};
use tepat_engine::kernels::nearest;
use tepat_engine::rtree::PointIndex;

fn nearest_k(c: &mut Criterion) {
    let mut g = c.benchmark_group("nearest_k");
    g.sample_size(10);
    let origins: Vec<Option<Coord>> = points(100_000, SEED_POINTS).into_iter().map(Some).collect();
    for n_fac in [1_000, 5_000] {
        let fac = facilities(n_fac, SEED_FACILITIES);
        for k in [1, 3] {
            g.throughput(Throughput::Elements(origins.len() as u64));
            g.bench_with_input(
                BenchmarkId::new(format!("index+nearest_k{k}"), format!("100000x{n_fac}")),
                &k,
                |b, &k| {
                    b.iter(|| {
                        let index = PointIndex::from_coords(&fac);
                        black_box(nearest::nearest_k(&origins, &index, k))
                    })
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, nearest_k);
criterion_main!(benches);
