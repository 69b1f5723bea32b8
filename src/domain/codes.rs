//! The codes themselves: format, derivation and verification (docs/codes.md).

/// The serial ranges of a package's batches (files): `files` contiguous ranges covering
/// 1..=count, as even as possible (the first `count % files` batches hold one more code).
/// Pure, so the batch of any serial is computed rather than looked up.
pub fn batch_ranges(count: u32, files: u32) -> Vec<(u32, u32)> {
    let files = files.clamp(1, count.max(1));
    let (size, extra) = (count / files, count % files);
    let mut start = 1;
    (0..files)
        .map(|i| {
            let len = size + u32::from(i < extra);
            let range = (start, start + len - 1);
            start += len;
            range
        })
        .collect()
}

/// The 1-based batch holding `serial`, if the serial is in the package.
pub fn batch_of(count: u32, files: u32, serial: u32) -> Option<u32> {
    if serial == 0 || serial > count {
        return None;
    }
    let files = files.clamp(1, count);
    let (size, extra) = (count / files, count % files);
    let big = extra * (size + 1);
    Some(if serial <= big { (serial - 1) / (size + 1) + 1 } else { extra + (serial - big - 1) / size + 1 })
}

#[cfg(test)]
mod batch_tests {
    use super::*;

    #[test]
    fn batches_cover_the_package_evenly_and_batch_of_agrees() {
        for (count, files) in [(1, 1), (10, 3), (10, 10), (20_000_000, 7), (99, 100)] {
            let ranges = batch_ranges(count, files);
            assert_eq!(ranges.first().unwrap().0, 1);
            assert_eq!(ranges.last().unwrap().1, count);
            for w in ranges.windows(2) {
                assert_eq!(w[0].1 + 1, w[1].0);
            }
            for (i, (a, b)) in ranges.iter().enumerate() {
                assert_eq!(batch_of(count, files, *a), Some(i as u32 + 1));
                assert_eq!(batch_of(count, files, *b), Some(i as u32 + 1));
            }
        }
        assert_eq!(batch_of(10, 3, 0), None);
        assert_eq!(batch_of(10, 3, 11), None);
    }
}
