//! The params structs follow the schemas: every example in `schema/<method>.params.json` must
//! decode into that method's params struct (see `skaffa_protocol::schema_check`).

use std::path::Path;

use skaffa_protocol::schema_check::{assert_params_examples_decode, decodes};

use super::{components, exports, feed, imports, outline, status, symbols};

#[test]
fn every_params_example_decodes_into_its_methods_params_struct() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    assert_params_examples_decode(
        &dir,
        &[
            ("components", decodes::<components::Params>),
            ("didChange", decodes::<feed::DidChangeParams>),
            ("exports", decodes::<exports::Params>),
            ("importers", decodes::<imports::ImportersParams>),
            ("imports", decodes::<imports::ImportsParams>),
            ("outline", decodes::<outline::Params>),
            ("resync", decodes::<feed::ResyncParams>),
            ("status", decodes::<status::Params>),
            ("symbols", decodes::<symbols::Params>),
        ],
    );
}
