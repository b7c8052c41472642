//! TEMPORARY exploration harness (to be deleted).
use geo::{Area, CoordsIter, Geometry, Validation};
use tepat_datasets::*;

#[test]
#[ignore]
fn stats() {
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEMO_SEED);
    let t = std::time::Instant::now();
    let city = demo_city(seed).expect("city");
    eprintln!("generated in {:?}", t.elapsed());
    for (spec, l) in &city.layers {
        let mut invalid = 0;
        let mut area = 0.0;
        let mut verts = 0;
        for g in l.geometries.iter().flatten() {
            if !g.is_valid() {
                invalid += 1;
                if invalid < 3 {
                    eprintln!(
                        "  invalid {}: {:?}",
                        spec.name,
                        g.validation_errors()
                            .iter()
                            .take(2)
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                    );
                }
            }
            area += g.unsigned_area();
            verts += g.coords_count();
        }
        eprintln!(
            "{:12} n={:5} invalid={} area_km2={:.2} verts={} fields={:?}",
            spec.name,
            l.len(),
            invalid,
            area / 1e6,
            verts,
            l.field_names()
        );
    }
    let kel = city.layer("kelurahan").unwrap();
    let pop = kel.column("population").unwrap();
    let tot: f64 = (0..kel.len()).map(|i| pop.f64_at(i).unwrap()).sum();
    eprintln!("population {tot}");
    for i in 0..kel.len().min(5) {
        eprintln!("{:?}", kel.properties(i));
    }
    let pk = city.layer("puskesmas").unwrap();
    for i in 0..pk.len() {
        eprintln!("{:?}", pk.properties(i));
    }
    let rs = city.layer("rumah_sakit").unwrap();
    for i in 0..rs.len() {
        eprintln!("{:?}", rs.properties(i));
    }
    let ev = city.layer("pengaduan").unwrap();
    for i in [0, 1, 2500, ev.len() - 1] {
        eprintln!("{:?}", ev.properties(i));
    }
    let sk = city.layer("sekolah").unwrap();
    for i in [0, 1, 100, 200, sk.len() - 1] {
        eprintln!("{:?}", sk.properties(i));
    }
    for n in ["banjir_q10", "banjir_q25", "banjir_q100"] {
        let l = city.layer(n).unwrap();
        for i in 0..l.len() {
            eprintln!("{:?}", l.properties(i));
        }
    }
    let kec = city.layer("kecamatan").unwrap();
    for i in 0..kec.len() {
        eprintln!("{:?}", kec.properties(i));
    }
    let _ = Geometry::Point(geo::Point::new(0.0, 0.0));
}

struct Img {
    w: usize,
    h: usize,
    px: Vec<[u8; 3]>,
    x0: f64,
    y1: f64,
    res: f64,
}
impl Img {
    fn new() -> Img {
        let (w, h) = (1000, 750);
        Img {
            w,
            h,
            px: vec![[20, 40, 90]; w * h],
            x0: zoom()[0],
            y1: zoom()[1],
            res: zoom()[2],
        }
    }
    fn to_px(&self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.x0) / self.res, (self.y1 - y) / self.res)
    }
    fn set(&mut self, i: i64, j: i64, c: [u8; 3]) {
        if i >= 0 && j >= 0 && (i as usize) < self.w && (j as usize) < self.h {
            self.px[j as usize * self.w + i as usize] = c;
        }
    }
    fn blend(&mut self, i: i64, j: i64, c: [u8; 3], a: f64) {
        if i >= 0 && j >= 0 && (i as usize) < self.w && (j as usize) < self.h {
            let p = &mut self.px[j as usize * self.w + i as usize];
            for k in 0..3 {
                p[k] = (p[k] as f64 * (1.0 - a) + c[k] as f64 * a) as u8;
            }
        }
    }
    fn line(&mut self, a: geo::Coord, b: geo::Coord, c: [u8; 3]) {
        let (x0, y0) = self.to_px(a.x, a.y);
        let (x1, y1) = self.to_px(b.x, b.y);
        let n = ((x1 - x0).abs().max((y1 - y0).abs()) * 2.0).ceil().max(1.0) as usize;
        for s in 0..=n {
            let t = s as f64 / n as f64;
            self.set((x0 + (x1 - x0) * t) as i64, (y0 + (y1 - y0) * t) as i64, c);
        }
    }
    fn fill(&mut self, g: &Geometry, c: [u8; 3], a: f64) {
        let mut edges = vec![];
        for ls in rings(g) {
            for l in ls.lines() {
                let (x0, y0) = self.to_px(l.start.x, l.start.y);
                let (x1, y1) = self.to_px(l.end.x, l.end.y);
                edges.push((x0, y0, x1, y1));
            }
        }
        for j in 0..self.h {
            let yc = j as f64 + 0.5;
            let mut xs = vec![];
            for &(x0, y0, x1, y1) in &edges {
                if (y0 <= yc) != (y1 <= yc) {
                    xs.push(x0 + (yc - y0) / (y1 - y0) * (x1 - x0));
                }
            }
            xs.sort_by(f64::total_cmp);
            for p in xs.chunks(2) {
                if p.len() == 2 {
                    for i in (p[0] - 0.5).ceil() as i64..=(p[1] - 0.5).floor() as i64 {
                        self.blend(i, j as i64, c, a);
                    }
                }
            }
        }
    }
    fn outline(&mut self, g: &Geometry, c: [u8; 3]) {
        for ls in rings(g) {
            for l in ls.lines() {
                self.line(l.start, l.end, c);
            }
        }
    }
    fn save(&self, path: &str) {
        let mut out = format!("P6\n{} {}\n255\n", self.w, self.h).into_bytes();
        for p in &self.px {
            out.extend_from_slice(p);
        }
        std::fs::write(path, out).unwrap();
    }
}
fn rings(g: &Geometry) -> Vec<geo::LineString> {
    match g {
        Geometry::Polygon(p) => std::iter::once(p.exterior().clone())
            .chain(p.interiors().iter().cloned())
            .collect(),
        Geometry::MultiPolygon(m) => {
            m.0.iter()
                .flat_map(|p| {
                    std::iter::once(p.exterior().clone()).chain(p.interiors().iter().cloned())
                })
                .collect()
        }
        Geometry::LineString(l) => vec![l.clone()],
        _ => vec![],
    }
}

#[test]
#[ignore]
fn preview() {
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEMO_SEED);
    let city = demo_city(seed).expect("city");
    let mut img = Img::new();
    let dem = &city.rasters[0].1;
    for j in 0..img.h {
        for i in 0..img.w {
            let (x, y) = (
                img.x0 + (i as f64 + 0.5) * img.res,
                img.y1 - (j as f64 + 0.5) * img.res,
            );
            let col = ((x - 696000.0) / 50.0) as usize;
            let row = ((171000.0 - y) / 50.0) as usize;
            if let Some(z) = (x > 696000.0 && y < 171000.0)
                .then(|| dem.value(row, col))
                .flatten()
            {
                let v = (60.0 + 190.0 * (z / 250.0).clamp(0.0, 1.0).sqrt()) as u8;
                img.set(
                    i as i64,
                    j as i64,
                    [v, (v as f64 * 0.95) as u8, (v as f64 * 0.8) as u8],
                );
            }
        }
    }
    let kel = city.layer("kelurahan").unwrap();
    let pop = kel.column("population").unwrap();
    for (i, g) in kel.geometries.iter().enumerate() {
        let g = g.as_ref().unwrap();
        let d = pop.f64_at(i).unwrap() / (g.unsigned_area() / 1e6);
        let t = (d / 20000.0).clamp(0.0, 1.0);
        img.fill(g, [(255.0 * t) as u8, (200.0 * (1.0 - t)) as u8, 60], 0.35);
    }
    for (n, c) in [
        ("banjir_q100", [120, 180, 255]),
        ("banjir_q25", [60, 120, 255]),
        ("banjir_q10", [10, 40, 200]),
    ] {
        for g in city.layer(n).unwrap().geometries.iter().flatten() {
            img.fill(g, c, 0.6);
        }
    }
    for g in kel.geometries.iter().flatten() {
        img.outline(g, [90, 90, 90]);
    }
    for g in city.layer("kecamatan").unwrap().geometries.iter().flatten() {
        img.outline(g, [0, 0, 0]);
    }
    let jl = city.layer("jalan").unwrap();
    let kelas = jl.column("kelas").unwrap();
    for (i, g) in jl.geometries.iter().enumerate() {
        let c = match kelas.get(i).as_key().unwrap().as_str() {
            "arteri" => [200, 0, 0],
            "kolektor" => [230, 140, 0],
            _ => [255, 255, 255],
        };
        img.outline(g.as_ref().unwrap(), c);
    }
    for g in city.layer("sungai").unwrap().geometries.iter().flatten() {
        img.outline(g, [0, 200, 255]);
    }
    for (n, c, r) in [
        ("sekolah", [255, 255, 0], 1),
        ("puskesmas", [255, 0, 0], 3),
        ("rumah_sakit", [255, 0, 255], 5),
    ] {
        for g in city.layer(n).unwrap().geometries.iter().flatten() {
            if let Geometry::Point(p) = g {
                let (x, y) = img.to_px(p.x(), p.y());
                for dj in -r..=r {
                    for di in -r..=r {
                        img.set(x as i64 + di, y as i64 + dj, c);
                    }
                }
            }
        }
    }
    img.save("/tmp/preview.ppm");
    let mut img2 = Img::new();
    for g in city.layer("daratan").unwrap().geometries.iter().flatten() {
        img2.fill(g, [200, 200, 200], 1.0);
    }
    let ev = city.layer("pengaduan").unwrap();
    let cat = ev.column("kategori").unwrap();
    for (i, g) in ev.geometries.iter().enumerate() {
        if let Some(Geometry::Point(p)) = g {
            let c = match cat.get(i).as_key().unwrap().as_str() {
                "drainase" => [0, 0, 255],
                "jalan" => [200, 0, 0],
                "sampah" => [0, 150, 0],
                _ => [200, 150, 0],
            };
            let (x, y) = img2.to_px(p.x(), p.y());
            img2.set(x as i64, y as i64, c);
            img2.set(x as i64 + 1, y as i64, c);
        }
    }
    for n in ["banjir_q25"] {
        for g in city.layer(n).unwrap().geometries.iter().flatten() {
            img2.outline(g, [0, 150, 255]);
        }
    }
    img2.save("/tmp/preview2.ppm");
}

#[test]
#[ignore]
fn sweep() {
    for seed in 0..40u64 {
        let city = match demo_city(seed) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("seed {seed}: ERROR {e}");
                continue;
            }
        };
        let mut bad = vec![];
        for (spec, l) in &city.layers {
            for g in l.geometries.iter().flatten() {
                if !g.is_valid() {
                    bad.push(spec.name.clone());
                }
            }
        }
        let n = |s: &str| city.layer(s).unwrap().len();
        let kel = city.layer("kelurahan").unwrap();
        let pop: f64 = (0..kel.len())
            .map(|i| kel.column("population").unwrap().f64_at(i).unwrap())
            .sum();
        let land = city.layer("daratan").unwrap().geometries[0]
            .as_ref()
            .unwrap()
            .unsigned_area()
            / 1e6;
        let q100: f64 = city
            .layer("banjir_q100")
            .unwrap()
            .geometries
            .iter()
            .flatten()
            .map(|g| g.unsigned_area())
            .sum::<f64>()
            / 1e6;
        let multi = kel
            .geometries
            .iter()
            .chain(city.layer("kecamatan").unwrap().geometries.iter())
            .flatten()
            .filter(|g| !matches!(g, Geometry::Polygon(_)))
            .count();
        eprintln!("seed {seed:2}: kec {} kel {} pop {pop} pkm {} rs {} sch {} adu {} jl {} land {land:.1} q100 {q100:.1} multi {multi} invalid {:?}", n("kecamatan"), n("kelurahan"), n("puskesmas"), n("rumah_sakit"), n("sekolah"), n("pengaduan"), n("jalan"), bad);
    }
}

#[test]
#[ignore]
fn write_out() {
    let _ = std::fs::remove_dir_all("/tmp/demo_out");
    let p = write_demo(std::path::Path::new("/tmp/demo_out")).expect("write");
    eprintln!("{}", p.display());
}

fn zoom() -> Vec<f64> {
    std::env::var("ZOOM")
        .unwrap_or("696000,171000,20".into())
        .split(',')
        .map(|v| v.parse().expect("n"))
        .collect()
}

#[test]
#[ignore]
fn timing() {
    let mut best = f64::INFINITY;
    for _ in 0..8 {
        let t = std::time::Instant::now();
        let c = demo_city(DEMO_SEED).expect("c");
        let e = t.elapsed().as_secs_f64();
        drop(c);
        best = best.min(e);
        eprintln!("run {e:.3}s");
    }
    eprintln!("best {best:.3}s");
    let t = std::time::Instant::now();
    let _p = demo_project().expect("p");
    eprintln!("demo_project {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let _ = write_demo(std::path::Path::new("/tmp/demo_out2")).expect("w");
    eprintln!("write_demo {:?}", t.elapsed());
}
