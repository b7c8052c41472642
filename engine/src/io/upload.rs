//! Reading a layer from a file someone uploaded (the server's `POST /layers`). Only the
//! formats a city department sends are accepted — GeoJSON, GeoPackage, a zipped Shapefile
//! and CSV with point columns — and a zip is inspected before GDAL sees it: an entry whose
//! name climbs out of the archive (`../x`, `/etc/x`, `C:\x`) is refused even though GDAL
//! reads in place through `/vsizip/` and would never write it, because such an archive is
//! either broken or hostile; so is one that inflates past a limit (a zip bomb), one without
//! a `.shp`, and a `.shp` without its `.dbf` / `.shx` (GDAL would open it and silently lose
//! the attributes).

use crate::error::{Error, Result};
use crate::io::{self, ReadOptions};
use crate::layer::Layer;
use std::path::Path;

/// The formats accepted for upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadFormat {
    /// GeoJSON (`.geojson`, `.json`), always EPSG:4326.
    Geojson,
    /// GeoPackage (`.gpkg`), through GDAL.
    Geopackage,
    /// A zipped Shapefile (`.zip`), through GDAL.
    ZippedShapefile,
    /// CSV with point columns (`.csv`), or a table without geometry.
    Csv,
}

impl UploadFormat {
    /// All formats, in documentation order.
    pub const ALL: [UploadFormat; 4] = [
        UploadFormat::Geojson,
        UploadFormat::Geopackage,
        UploadFormat::ZippedShapefile,
        UploadFormat::Csv,
    ];

    /// The format a file name's extension says, if it is one of ours.
    pub fn from_file_name(name: &str) -> Option<UploadFormat> {
        match io::extension(Path::new(name)).as_str() {
            "geojson" | "json" => Some(UploadFormat::Geojson),
            "gpkg" => Some(UploadFormat::Geopackage),
            "zip" => Some(UploadFormat::ZippedShapefile),
            "csv" => Some(UploadFormat::Csv),
            _ => None,
        }
    }

    /// The format the first bytes of a file show, for uploads without a file name: the
    /// zip and SQLite signatures, or a JSON object. CSV has no signature.
    pub fn sniff(head: &[u8]) -> Option<UploadFormat> {
        if head.starts_with(b"PK\x03\x04") {
            return Some(UploadFormat::ZippedShapefile);
        }
        if head.starts_with(b"SQLite format 3\0") {
            return Some(UploadFormat::Geopackage);
        }
        let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        match text.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Some(UploadFormat::Geojson),
            _ => None,
        }
    }

    /// The extension a file of this format is stored under (readers pick by extension).
    pub fn extension(self) -> &'static str {
        match self {
            UploadFormat::Geojson => "geojson",
            UploadFormat::Geopackage => "gpkg",
            UploadFormat::ZippedShapefile => "zip",
            UploadFormat::Csv => "csv",
        }
    }

    /// Stable name (`geojson`, `gpkg`, `shapefile-zip`, `csv`).
    pub fn as_str(self) -> &'static str {
        match self {
            UploadFormat::Geojson => "geojson",
            UploadFormat::Geopackage => "gpkg",
            UploadFormat::ZippedShapefile => "shapefile-zip",
            UploadFormat::Csv => "csv",
        }
    }

    /// The format called `name` (as [`UploadFormat::as_str`] writes it).
    pub fn parse(name: &str) -> Option<UploadFormat> {
        UploadFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// Reads an uploaded file of `format` at `path` (whose extension must be
/// [`UploadFormat::extension`]). A zip is checked first with [`check_zip`]; a zip may
/// inflate to at most `max_unzipped` bytes.
pub fn read_upload(
    path: &Path,
    format: UploadFormat,
    opts: &ReadOptions,
    max_unzipped: u64,
) -> Result<Layer> {
    if io::extension(path) != format.extension() {
        return Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            message: format!(
                "an upload of format {} must be stored as .{}",
                format.as_str(),
                format.extension()
            ),
        });
    }
    if format == UploadFormat::ZippedShapefile {
        check_zip(path, max_unzipped)?;
    }
    io::read_vector(path, opts)
}

/// Checks a zipped Shapefile before it is read: a valid zip, no entry name leaving the
/// archive, at most `max_unzipped` bytes once inflated, at least one `.shp`, and each
/// `.shp` with its `.dbf` and `.shx`. macOS resource forks (`__MACOSX/`, `._x`) are ignored.
pub fn check_zip(path: &Path, max_unzipped: u64) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| Error::parse(path, format!("not a valid zip file: {e}")))?;
    let mut names = Vec::with_capacity(archive.len());
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| Error::parse(path, format!("zip entry {}: {e}", i + 1)))?;
        let name = entry.name().to_string();
        if !is_safe_entry_name(&name) || entry.enclosed_name().is_none() {
            return Err(Error::parse(
                path,
                format!(
                    "zip entry '{name}' points outside the archive (an absolute path or '..'); \
                     zip the Shapefile's files themselves"
                ),
            ));
        }
        total = total.saturating_add(entry.size());
        names.push(name);
    }
    if total > max_unzipped {
        return Err(Error::parse(
            path,
            format!("the zip inflates to {total} bytes, over the limit of {max_unzipped}"),
        ));
    }
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let is_fork =
        |n: &str| n.starts_with("__macosx/") || n.rsplit('/').next().unwrap_or(n).starts_with("._");
    let shps: Vec<usize> = (0..names.len())
        .filter(|&i| lower[i].ends_with(".shp") && !is_fork(&lower[i]))
        .collect();
    if shps.is_empty() {
        let listed = if names.is_empty() {
            "it is empty".to_string()
        } else {
            format!("entries: {}", names.join(", "))
        };
        return Err(Error::parse(
            path,
            format!("the zip holds no Shapefile (.shp); {listed}"),
        ));
    }
    for i in shps {
        let stem = &lower[i][..lower[i].len() - 4];
        for ext in ["dbf", "shx"] {
            if !lower.contains(&format!("{stem}.{ext}")) {
                let what = if ext == "dbf" { "attributes" } else { "index" };
                return Err(Error::parse(
                    path,
                    format!(
                        "missing .{ext}: {} needs its .{ext} ({what}) in the zip",
                        names[i]
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A relative name with no `..` component, no backslash, drive letter or NUL.
fn is_safe_entry_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains('\0')
        && !name.contains(':')
        && name.split('/').all(|part| part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(dir: &Path, entries: &[(&str, &[u8])]) -> std::path::PathBuf {
        let path = dir.join("upload.zip");
        let file = std::fs::File::create(&path).expect("create zip");
        let mut w = zip::ZipWriter::new(file);
        for (name, data) in entries {
            w.start_file(*name, SimpleFileOptions::default())
                .expect("entry");
            w.write_all(data).expect("write entry");
        }
        w.finish().expect("finish zip");
        path
    }

    fn zip_error(entries: &[(&str, &[u8])], max: u64) -> String {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = zip_of(dir.path(), entries);
        check_zip(&path, max).expect_err("bad zip").to_string()
    }

    #[test]
    fn formats_by_name_and_signature() {
        assert_eq!(
            UploadFormat::from_file_name("Banjir Q100.GeoJSON"),
            Some(UploadFormat::Geojson)
        );
        assert_eq!(
            UploadFormat::from_file_name("x.zip"),
            Some(UploadFormat::ZippedShapefile)
        );
        assert_eq!(UploadFormat::from_file_name("x.kml"), None);
        assert_eq!(
            UploadFormat::sniff(b"PK\x03\x04rest"),
            Some(UploadFormat::ZippedShapefile)
        );
        assert_eq!(
            UploadFormat::sniff(b"SQLite format 3\0..."),
            Some(UploadFormat::Geopackage)
        );
        assert_eq!(
            UploadFormat::sniff(b"\xEF\xBB\xBF \n{\"type\""),
            Some(UploadFormat::Geojson)
        );
        assert_eq!(UploadFormat::sniff(b"id,lon,lat"), None);
        for f in UploadFormat::ALL {
            assert_eq!(UploadFormat::parse(f.as_str()), Some(f));
        }
    }

    #[test]
    fn zip_entries_leaving_the_archive_are_refused() {
        for name in ["../x.shp", "a/../../x.shp", "/etc/x.shp", "C:\\x.shp"] {
            let e = zip_error(&[(name, b"x"), ("x.dbf", b""), ("x.shx", b"")], 1 << 20);
            assert!(e.contains("outside the archive"), "{name}: {e}");
        }
    }

    #[test]
    fn zip_without_shp_or_companions_or_too_big_is_refused() {
        let e = zip_error(&[("readme.txt", b"hello")], 1 << 20);
        assert!(
            e.contains("no Shapefile") && e.contains("readme.txt"),
            "{e}"
        );
        let e = zip_error(&[("__MACOSX/._a.shp", b""), ("a.dbf", b"")], 1 << 20);
        assert!(e.contains("no Shapefile"), "{e}");
        let e = zip_error(&[("a.shp", b""), ("a.shx", b"")], 1 << 20);
        assert!(e.contains("missing .dbf") && e.contains("a.shp"), "{e}");
        let e = zip_error(&[("d/A.SHP", b""), ("d/a.dbf", b"")], 1 << 20);
        assert!(e.contains("missing .shx"), "{e}");
        let big = vec![0u8; 4096];
        let e = zip_error(&[("a.shp", &big), ("a.dbf", b""), ("a.shx", b"")], 1000);
        assert!(e.contains("over the limit of 1000"), "{e}");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("not.zip");
        std::fs::write(&path, b"PK but not really").expect("write");
        let e = check_zip(&path, 1 << 20)
            .expect_err("not a zip")
            .to_string();
        assert!(e.contains("not a valid zip"), "{e}");
    }

    #[test]
    fn a_complete_zip_passes_and_the_extension_must_match() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = zip_of(
            dir.path(),
            &[("d/a.shp", b""), ("d/a.dbf", b""), ("d/a.shx", b"")],
        );
        assert!(check_zip(&path, 1 << 20).is_ok());
        let opts = ReadOptions::new("a", crate::layer::Role::Context);
        let e = read_upload(&path, UploadFormat::Csv, &opts, 1 << 20).expect_err("ext");
        assert!(matches!(e, Error::UnsupportedFormat { .. }), "{e}");
    }
}
