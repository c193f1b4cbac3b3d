use vq_model::codebook::{perplexity, usage_counts};

#[test]
fn perplexity_counts_codes_in_use() {
    assert_eq!(usage_counts(&[0, 0, 2, 2], 4), vec![2, 0, 2, 0]);
    assert!(
        (perplexity(&[2, 0, 2, 0]) - 2.0).abs() < 1e-9,
        "two codes equally used"
    );
    assert!((perplexity(&[5, 0, 0]) - 1.0).abs() < 1e-9, "one code");
    assert!((perplexity(&[1; 8]) - 8.0).abs() < 1e-9, "all of 8");
}
