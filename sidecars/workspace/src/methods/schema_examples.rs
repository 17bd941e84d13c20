//! The params structs follow the schemas: every example in `schema/<method>.params.json` must
//! decode into that method's params struct (see `skaffa_protocol::schema_check`).

use std::path::Path;

use skaffa_protocol::schema_check::{assert_params_examples_decode, decodes};

use super::{find_files, glob, hashes, list_dir, read_file, search, stat, status};

#[test]
fn every_params_example_decodes_into_its_methods_params_struct() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    assert_params_examples_decode(
        &dir,
        &[
            ("findFiles", decodes::<find_files::Params>),
            ("glob", decodes::<glob::Params>),
            ("hashes", decodes::<hashes::Params>),
            ("listDir", decodes::<list_dir::Params>),
            ("readFile", decodes::<read_file::Params>),
            ("search", decodes::<search::Params>),
            ("stat", decodes::<stat::Params>),
            ("status", decodes::<status::Params>),
        ],
    );
}
