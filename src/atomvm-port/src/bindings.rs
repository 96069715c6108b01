// SPDX-License-Identifier: Apache-2.0

//! [`bindings!`]: one place for the lint allowances that bindgen's output needs.

/// A module holding `$OUT_DIR/<file>`, bindgen's output written by the calling crate's build
/// script, with generated code's lints allowed (C naming, unused items, undocumented
/// `unsafe` in its `Default` impls, ...). Attributes and doc comments go on the module.
///
/// ```ignore
/// atomvm_port::bindings! {
///     /// bindgen's view of `include/atomvm_audio.h` (build.rs).
///     mod dt = "audio_bindings.rs";
/// }
/// ```
#[macro_export]
macro_rules! bindings {
    ($(#[$attr:meta])* $vis:vis mod $name:ident = $file:literal;) => {
        $(#[$attr])*
        #[allow(
            non_camel_case_types,
            non_snake_case,
            non_upper_case_globals,
            dead_code,
            missing_docs,
            unsafe_op_in_unsafe_fn,
            unknown_lints,
            unnecessary_transmutes,
            clippy::all,
            clippy::undocumented_unsafe_blocks
        )]
        $vis mod $name {
            include!(concat!(env!("OUT_DIR"), "/", $file));
        }
    };
}
