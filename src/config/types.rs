//! The kinds site.toml names: a front-matter field's type, and the order of
//! a collection's list.

use serde::Deserialize;

/// The type of a front-matter field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// One line of text.
    String,
    /// Text that may run over several lines.
    Text,
    /// `YYYY-MM-DD`.
    Date,
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Integer,
    /// A list of strings.
    List,
    /// The slug of one document of another collection.
    Reference,
    /// A list of slugs of documents of another collection.
    References,
}

impl FieldType {
    /// What a value of this type is, in the words an error message uses:
    /// "`review_by` must be a date (YYYY-MM-DD)".
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::String => "a string",
            FieldType::Text => "text",
            FieldType::Date => "a date (YYYY-MM-DD)",
            FieldType::Bool => "true or false",
            FieldType::Integer => "a whole number",
            FieldType::List => "a list of strings",
            FieldType::Reference => "the slug of a document",
            FieldType::References => "a list of document slugs",
        }
    }

    /// The type as site.toml's `type = "…"` names it.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Text => "text",
            FieldType::Date => "date",
            FieldType::Bool => "bool",
            FieldType::Integer => "integer",
            FieldType::List => "list",
            FieldType::Reference => "reference",
            FieldType::References => "references",
        }
    }
}

/// How a collection's documents are ordered in lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first; undated documents last, by title.
    #[default]
    Date,
    /// Lowest weight first, then by title.
    Weight,
    /// By title, compared character by character (capitals before small letters).
    Title,
}
