//! Indonesian-looking names for the demo city's places, streets and facilities: common
//! North Sulawesi place names mixed with invented ones. The city is fictional, so a name
//! says nothing about where (or whether) the real place is.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Kecamatan names.
const KECAMATAN: [&str; 16] = [
    "Teluk Demo",
    "Kuala Raya",
    "Batu Lima",
    "Tanjung Merah",
    "Wawalintou",
    "Malendong",
    "Sumarayang",
    "Bukit Hijau",
    "Pinaesaan",
    "Mapalus",
    "Kinaleosan",
    "Winangunan",
    "Tumatenden",
    "Ranowangko",
    "Pakowa Raya",
    "Sindulang Baru",
];

/// Roots of kelurahan names.
const KELURAHAN: [&str; 96] = [
    "Air Mata",
    "Bahu Indah",
    "Banjer",
    "Batu Kota",
    "Bitung Karangria",
    "Bumi Nyiur",
    "Dendengan",
    "Girian",
    "Kampung Arab",
    "Kampung Nelayan",
    "Kampung Ternate",
    "Karame",
    "Kleak",
    "Koka",
    "Kombos",
    "Komo Luar",
    "Kuala Batu",
    "Kawangkoan Bawah",
    "Lawangirung",
    "Lingkungan Pasar",
    "Mahakeret",
    "Maasing",
    "Malalayang",
    "Mapanget Barat",
    "Mahawu",
    "Ranomuut",
    "Ranotana",
    "Ranomea",
    "Paal Dua",
    "Paal Empat",
    "Pakowa",
    "Pandu",
    "Perkamil",
    "Pinokalan",
    "Pondol",
    "Rike",
    "Sario Kotabaru",
    "Sario Tumpaan",
    "Singkil",
    "Sindulang",
    "Sumompo",
    "Taas",
    "Tanjung Batu",
    "Teling",
    "Tikala Baru",
    "Titiwungen",
    "Tingkulu",
    "Tongkaina",
    "Tuminting",
    "Wanea",
    "Warembungan",
    "Wawonasa",
    "Wenang Utara",
    "Winangun",
    "Bailang",
    "Bengkol",
    "Buha",
    "Kairagi",
    "Kima Atas",
    "Lapangan",
    "Molas",
    "Mogandi",
    "Pandu Raya",
    "Talete",
    "Tateli",
    "Tumumpa",
    "Uner",
    "Wuwuk",
    "Lembean",
    "Kakaskasen",
    "Tounsaru",
    "Rurukan",
    "Ranolambot",
    "Tondangow",
    "Walian",
    "Woloan",
    "Kinilow",
    "Matani",
    "Ranoketang",
    "Pinaras",
    "Tataaran",
    "Rerewokan",
    "Kolongan",
    "Tumatangtang",
    "Paslaten",
    "Lansot",
    "Talikuran",
    "Wailan",
    "Koya",
    "Sasaran",
    "Tember",
    "Wulauan",
    "Kalasey",
    "Bahowo",
    "Meras",
    "Pandaluan",
];

/// Suffixes that split a name between neighbouring kelurahan.
const PAIRS: [(&str, &str); 4] = [
    ("Satu", "Dua"),
    ("Atas", "Bawah"),
    ("Barat", "Timur"),
    ("Utara", "Selatan"),
];

/// National heroes and figures Indonesian main roads are named after.
pub(crate) const MAIN_STREETS: [&str; 24] = [
    "Jl. Sam Ratulangi",
    "Jl. Pierre Tendean",
    "Jl. Jenderal Sudirman",
    "Jl. Ahmad Yani",
    "Jl. Diponegoro",
    "Jl. Hasanuddin",
    "Jl. R.E. Martadinata",
    "Jl. Wolter Monginsidi",
    "Jl. Yos Sudarso",
    "Jl. Babe Palar",
    "Jl. Dr. Sutomo",
    "Jl. Kartini",
    "Jl. Imam Bonjol",
    "Jl. Sisingamangaraja",
    "Jl. Pattimura",
    "Jl. Ki Hajar Dewantara",
    "Jl. Walanda Maramis",
    "Jl. Ring Road",
    "Jl. 14 Februari",
    "Jl. Arie Lasut",
    "Jl. Bethesda",
    "Jl. Samratulangi Selatan",
    "Jl. Tololiu Supit",
    "Jl. Lumimuut",
];

/// Flowers, trees and virtues small streets are named after.
const LOCAL_STREETS: [&str; 24] = [
    "Mawar",
    "Melati",
    "Anggrek",
    "Kenanga",
    "Cempaka",
    "Flamboyan",
    "Kamboja",
    "Dahlia",
    "Teratai",
    "Seroja",
    "Bougenville",
    "Nusa Indah",
    "Cendana",
    "Beringin",
    "Kelapa",
    "Pala",
    "Cengkeh",
    "Mangga",
    "Durian",
    "Merdeka",
    "Pemuda",
    "Persatuan",
    "Kasih",
    "Damai",
];

/// Hospital names.
pub(crate) const HOSPITALS: [&str; 4] = [
    "RSUD Kota Demo",
    "RS Kasih Ibu",
    "RS Bhayangkara Teluk",
    "RS Gunung Maria",
];

/// Draws `n` distinct kecamatan names.
pub(crate) fn kecamatan(n: usize, rng: &mut ChaCha8Rng) -> Vec<String> {
    let mut pool: Vec<&str> = KECAMATAN.to_vec();
    pool.shuffle(rng);
    (0..n)
        .map(|i| match pool.get(i) {
            Some(s) => s.to_string(),
            None => format!("Kecamatan {}", i + 1),
        })
        .collect()
}

/// Kelurahan names for kecamatan with `counts[i]` kelurahan each, distinct across the
/// city; now and then two neighbours share a root ("Teling Atas", "Teling Bawah").
pub(crate) fn kelurahan(counts: &[usize], rng: &mut ChaCha8Rng) -> Vec<Vec<String>> {
    let mut pool: Vec<&str> = KELURAHAN.to_vec();
    pool.shuffle(rng);
    let mut roots = pool.into_iter();
    let mut extra = 0;
    let mut next_root = move || match roots.next() {
        Some(r) => r.to_string(),
        None => {
            extra += 1;
            format!("Kelurahan Baru {extra}")
        }
    };
    counts
        .iter()
        .map(|&n| {
            let mut names = Vec::with_capacity(n);
            while names.len() < n {
                let root = next_root();
                if n - names.len() >= 2 && rng.random_bool(0.2) {
                    let (a, b) = PAIRS[rng.random_range(0..PAIRS.len())];
                    names.push(format!("{root} {a}"));
                    names.push(format!("{root} {b}"));
                } else {
                    names.push(root);
                }
            }
            names
        })
        .collect()
}

/// A small street's name.
pub(crate) fn local_street(i: usize) -> String {
    let base = LOCAL_STREETS[i % LOCAL_STREETS.len()];
    match i / LOCAL_STREETS.len() {
        0 => format!("Jl. {base}"),
        r => format!("Jl. {base} {}", roman(r + 1)),
    }
}

fn roman(n: usize) -> &'static str {
    ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
        .get(n.saturating_sub(1))
        .copied()
        .unwrap_or("X")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_distinct() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let kec = kecamatan(11, &mut rng);
        assert_eq!(kec.iter().collect::<BTreeSet<_>>().len(), 11);
        let kel = kelurahan(&[8, 9, 7, 10, 8, 8, 9, 7, 8, 8], &mut rng);
        let all: Vec<&String> = kel.iter().flatten().collect();
        assert_eq!(all.len(), 82);
        assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 82);
        assert_eq!(kel[3].len(), 10);
        assert_eq!(local_street(0), "Jl. Mawar");
        assert_eq!(local_street(25), "Jl. Melati II");
    }
}
