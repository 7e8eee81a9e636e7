//! BM25 exactly as tantivy scores a term in a field, so that scores computed at
//! build time for the static index rank documents as `hubgen search` does.

use tantivy::fieldnorm::FieldNormReader;

const K1: f32 = 1.2;
const B: f32 = 0.75;

/// What scoring a term in one field needs to know about that field.
#[derive(Clone, Copy, Debug)]
pub struct FieldStats {
    /// Number of documents in the index.
    pub docs: u64,
    /// Total number of tokens of the field over all documents.
    pub tokens: u64,
}

impl FieldStats {
    /// The field's average length in tokens, over every document.
    pub fn average_length(&self) -> f32 {
        self.tokens as f32 / self.docs.max(1) as f32
    }
}

/// tantivy's inverse document frequency.
pub fn idf(doc_freq: u64, docs: u64) -> f32 {
    let x = ((docs - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

/// The score of a term occurring `tf` times in a field of `length` tokens,
/// with `boost`: tantivy's `Bm25Weight::for_one_term(..).boost_by(boost).score(..)`.
pub fn score(stats: FieldStats, doc_freq: u64, boost: f32, length: u32, tf: u32) -> f32 {
    let weight = idf(doc_freq, stats.docs) * (1.0 + K1) * boost;
    // tantivy stores field lengths lossily in one byte; score with what it stores.
    let length = FieldNormReader::id_to_fieldnorm(FieldNormReader::fieldnorm_to_id(length));
    let norm = K1 * (1.0 - B + B * length as f32 / stats.average_length());
    let tf = tf as f32;
    weight * (tf / (tf + norm))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::Bm25Weight;

    #[test]
    fn agrees_with_tantivy() {
        let stats = FieldStats {
            docs: 1000,
            tokens: 250_000,
        };
        for (df, len, tf, boost) in [
            (1, 10, 1, 1.0),
            (10, 250, 3, 2.0),
            (999, 1000, 40, 1.5),
            (50, 77, 2, 3.0),
        ] {
            let w =
                Bm25Weight::for_one_term_without_explain(df, stats.docs, stats.average_length())
                    .boost_by(boost);
            let theirs = w.score(FieldNormReader::fieldnorm_to_id(len), tf);
            let ours = score(stats, df, boost, len, tf);
            assert!((theirs - ours).abs() < 1e-5, "{theirs} vs {ours}");
        }
    }
}
