// SPDX-License-Identifier: Apache-2.0

//! Nothing yet: the port's devicetree table (bindgen over its header, as the audio port's
//! build.rs) comes with `src/port.rs` (feature `vm`).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
}
