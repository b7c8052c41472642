//! Writing the demo city as a project directory: one file per layer (GeoJSON in EPSG:4326,
//! the statistics sheet as CSV), the elevation model as an ESRI ASCII grid with its `.prj`,
//! and `tepat.toml`.

use crate::{DemoCity, EPSG};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use tepat_engine::io::write_vector;
use tepat_engine::layer::{Raster, Role};
use tepat_engine::project::{LayerSpec, ProjectFile};
use tepat_engine::{Error, Result};

/// WKT of EPSG:32651 (WGS 84 / UTM zone 51N), as GDAL writes it.
pub(crate) const UTM51N_WKT: &str = concat!(
    r#"PROJCS["WGS 84 / UTM zone 51N",GEOGCS["WGS 84",DATUM["WGS_1984","#,
    r#"SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],"#,
    r#"AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],"#,
    r#"UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],"#,
    r#"PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],"#,
    r#"PARAMETER["central_meridian",123],PARAMETER["scale_factor",0.9996],"#,
    r#"PARAMETER["false_easting",500000],PARAMETER["false_northing",0],"#,
    r#"UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],"#,
    r#"AUTHORITY["EPSG","32651"]]"#
);

/// The `[[layers]]` entry of a raster written as `<name>.asc`.
pub(crate) fn raster_spec(name: &str) -> LayerSpec {
    let mut spec = crate::fields::spec(name, Role::Raster, &format!("{name}.asc"));
    spec.crs = Some(format!("EPSG:{EPSG}"));
    spec
}

/// Writes `city` into `dir` (created if needed) and returns the path of `tepat.toml`.
pub(crate) fn write_city(city: &DemoCity, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for (spec, layer) in &city.layers {
        write_vector(layer, &dir.join(&spec.path))?;
    }
    let mut specs: Vec<LayerSpec> = city.layers.iter().map(|(s, _)| s.clone()).collect();
    for (name, raster) in &city.rasters {
        let spec = raster_spec(name);
        let path = dir.join(&spec.path);
        write_ascii_grid(raster, &path)?;
        let prj = path.with_extension("prj");
        std::fs::write(&prj, UTM51N_WKT).map_err(|e| Error::io(&prj, e))?;
        specs.push(spec);
    }
    let file = ProjectFile {
        name: city.name.clone(),
        crs: Some(city.crs.to_string()),
        layers: specs,
    };
    let path = dir.join("tepat.toml");
    let text = toml::to_string(&file).map_err(|e| Error::Project {
        path: path.clone(),
        layer: None,
        field: None,
        message: format!("cannot serialise the project: {e}"),
    })?;
    let header = "# Kota Demo: the seeded demo city of tepat (tepat demo --out DIR writes it).\n";
    std::fs::write(&path, format!("{header}{text}")).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// Writes a north-up raster as an ESRI ASCII grid (`.asc`, which GDAL reads as AAIGrid).
pub(crate) fn write_ascii_grid(raster: &Raster, path: &Path) -> Result<()> {
    let g = raster.geotransform;
    if g[2] != 0.0 || g[4] != 0.0 || g[1] <= 0.0 || (g[5] + g[1]).abs() > 1e-9 {
        return Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            message: "an ASCII grid needs a north-up raster with square cells".into(),
        });
    }
    let (rows, cols) = raster.data.dim();
    let nodata = raster.nodata.unwrap_or(-9999.0);
    let mut out = String::with_capacity(rows * cols * 8 + 200);
    let _ = writeln!(out, "ncols {cols}");
    let _ = writeln!(out, "nrows {rows}");
    let _ = writeln!(out, "xllcorner {}", g[0]);
    let _ = writeln!(out, "yllcorner {}", g[3] + g[5] * rows as f64);
    let _ = writeln!(out, "cellsize {}", g[1]);
    let _ = writeln!(out, "NODATA_value {nodata}");
    for row in raster.data.rows() {
        let mut first = true;
        for &v in row {
            if !first {
                out.push(' ');
            }
            first = false;
            if v.is_nan() || v == nodata {
                let _ = write!(out, "{nodata}");
            } else {
                let _ = write!(out, "{v:.2}");
            }
        }
        out.push('\n');
    }
    let tmp = path.with_extension("asc.part");
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(out.as_bytes())
        .map_err(|e| Error::io(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use tepat_engine::crs::Crs;

    #[test]
    fn ascii_grid_header_and_rows() {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = Raster {
            data: Array2::from_shape_vec((2, 3), vec![1.0, 2.5, -9999.0, f64::NAN, 0.126, 3.0])
                .expect("shape"),
            geotransform: [100.0, 50.0, 0.0, 1_000.0, 0.0, -50.0],
            nodata: Some(-9999.0),
            crs: None,
        };
        let p = dir.path().join("g.asc");
        write_ascii_grid(&r, &p).expect("write");
        let text = std::fs::read_to_string(&p).expect("read");
        assert_eq!(
            text,
            "ncols 3\nnrows 2\nxllcorner 100\nyllcorner 900\ncellsize 50\nNODATA_value -9999\n\
             1.00 2.50 -9999\n-9999 0.13 3.00\n"
        );
        let rotated = Raster {
            geotransform: [0.0, 1.0, 0.5, 0.0, 0.0, -1.0],
            ..r
        };
        assert!(write_ascii_grid(&rotated, &p).is_err());
    }

    #[test]
    fn prj_names_utm_51n() {
        assert_eq!(Crs::from_definition(UTM51N_WKT), Crs::Epsg(32651));
        assert_eq!(raster_spec("elevasi").path, PathBuf::from("elevasi.asc"));
    }
}
