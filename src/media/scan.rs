//! Pairs of 256-bit hashes within a Hamming radius (placeholder scalar scan; replaced by the
//! tiled, CPU-dispatched scan).

use rayon::prelude::*;

/// Every `(query index, target index, distance)` with distance ≤ `radius`.
pub fn range_search(queries: &[[u64; 4]], targets: &[[u64; 4]], radius: u32) -> Vec<(u32, u32, u16)> {
    queries
        .par_iter()
        .enumerate()
        .flat_map_iter(|(qi, q)| {
            targets.iter().enumerate().filter_map(move |(ti, t)| {
                let d = (q[0] ^ t[0]).count_ones() + (q[1] ^ t[1]).count_ones() + (q[2] ^ t[2]).count_ones() + (q[3] ^ t[3]).count_ones();
                (d <= radius).then_some((qi as u32, ti as u32, d as u16))
            })
        })
        .collect()
}
