/// The largest coordinate the controller reports (12 bits).
pub const COORD_MAX: u16 = 0x0FFF;

/// Maps controller coordinates to screen coordinates, with the semantics of Zephyr's common
/// touchscreen devicetree properties (`screen-width`, `screen-height`, `inverted-x`,
/// `inverted-y`, `swapped-x-y`, see `dts/bindings/input/touchscreen-common.yaml`):
///
/// 1. clamp each coordinate to its axis, `0..=size - 1`;
/// 2. invert the axes asked for, `v -> size - 1 - v`;
/// 3. then swap X and Y. As in Zephyr, the sizes and the `inverted_*` flags name the
///    **controller's** axes: `screen_width` is the range of the controller's X, which after a
///    swap becomes the reported Y.
///
/// A size of 0 ("unknown", Zephyr's default) stands for the full 12-bit range, 4096.
///
/// One deliberate difference: Zephyr's `input_touchscreen_report_pos` inverts as `size - v`,
/// which maps 0 to `size`, outside the `0..size` range its binding documents
/// (`screen-width` = largest X + 1); this inverts as `size - 1 - v`, so the result always stays
/// on the screen.
///
/// ```
/// use ft5x06::Transform;
///
/// // A 480x272 panel whose controller axes are mirrored in X.
/// let t = Transform { inverted_x: true, ..Transform::new(480, 272) };
/// assert_eq!(t.apply(0, 10), (479, 10));
/// assert_eq!(t.apply(479, 10), (0, 10));
/// assert_eq!(t.apply(900, 900), (0, 271)); // clamped first
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Transform {
    /// Range of the controller's X axis (largest X + 1); 0 = 4096.
    pub screen_width: u16,
    /// Range of the controller's Y axis (largest Y + 1); 0 = 4096.
    pub screen_height: u16,
    /// Mirror the controller's X axis.
    pub inverted_x: bool,
    /// Mirror the controller's Y axis.
    pub inverted_y: bool,
    /// Swap X and Y, after inverting.
    pub swapped_x_y: bool,
}

impl Transform {
    /// No clamping beyond 12 bits, no inversion, no swap.
    pub const IDENTITY: Self = Self::new(0, 0);

    /// A transform that only clamps to `screen_width` x `screen_height`.
    pub const fn new(screen_width: u16, screen_height: u16) -> Self {
        Self {
            screen_width,
            screen_height,
            inverted_x: false,
            inverted_y: false,
            swapped_x_y: false,
        }
    }

    /// Maps one controller coordinate pair to the screen (clamp, invert, swap).
    pub const fn apply(&self, x: u16, y: u16) -> (u16, u16) {
        let x = axis(x, self.screen_width, self.inverted_x);
        let y = axis(y, self.screen_height, self.inverted_y);
        if self.swapped_x_y {
            (y, x)
        } else {
            (x, y)
        }
    }
}

const fn axis(v: u16, size: u16, inverted: bool) -> u16 {
    let max = if size == 0 { COORD_MAX } else { size - 1 };
    let v = if v > max { max } else { v };
    if inverted {
        max - v
    } else {
        v
    }
}
