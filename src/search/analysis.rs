//! Text analysis, shared by the static index and the tantivy reference index so
//! both see the same terms: tantivy's simple tokenizer, long-token removal,
//! lower-casing, ASCII folding and the English (Snowball) stemmer.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer,
};

/// Tokens longer than this (in bytes) are dropped, as tantivy's default analyzer does.
pub const MAX_TOKEN_LEN: usize = 40;

/// The name the analyzer is registered under in the tantivy index.
pub const ANALYZER: &str = "hubgen";

/// The full pipeline: words to stems.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The pipeline without its stemmer: the surface words a reader types.
pub fn surface_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_LEN))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Stems single surface words (already lower-cased and folded).
pub struct WordStemmer(TextAnalyzer);

impl Default for WordStemmer {
    fn default() -> Self {
        WordStemmer(
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
        )
    }
}

impl WordStemmer {
    /// The stem of one word as the index files it (`procurement` → `procur`);
    /// the word itself if the stemmer gives nothing.
    pub fn stem(&mut self, word: &str) -> String {
        let mut stream = self.0.token_stream(word);
        match stream.next() {
            Some(t) => t.text.clone(),
            None => word.to_string(),
        }
    }
}

/// Calls `each` with every surface word of `text`; returns how many there were
/// (the field's length as tantivy counts it).
pub fn for_each_word(analyzer: &mut TextAnalyzer, text: &str, mut each: impl FnMut(&str)) -> u32 {
    let mut n = 0;
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        n += 1;
        each(&token.text);
    }
    n
}

/// The stems of `text`, in order.
pub fn stems(text: &str) -> Vec<String> {
    let mut a = analyzer();
    let mut out = Vec::new();
    for_each_word(&mut a, text, |w| out.push(w.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stemming_folding_and_long_tokens() {
        assert_eq!(
            stems("Procurement, procuring & PROCURED"),
            ["procur", "procur", "procur"]
        );
        assert_eq!(stems("Café naïve"), ["cafe", "naiv"]);
        let long = "a".repeat(41);
        assert_eq!(stems(&format!("short {long} word")), ["short", "word"]);
    }

    #[test]
    fn surface_words_stem_like_the_full_pipeline() {
        let mut surface = surface_analyzer();
        let mut stemmer = WordStemmer::default();
        let text = "Children's services: shared front-office, integrated management";
        let mut via_surface = Vec::new();
        for_each_word(&mut surface, text, |w| via_surface.push(stemmer.stem(w)));
        assert_eq!(via_surface, stems(text));
    }
}
