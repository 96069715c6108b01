// SPDX-License-Identifier: Apache-2.0

//! The port: devicetree display (through `display_glue.c`) + configuration resource.

use core::cell::Cell;
use core::sync::atomic::{AtomicBool, Ordering};

use atomvm_port::encode::ok;
use atomvm_port::vm::{
    Call, Open, Port, PortDriver, PortStats, Replied, Resource, ResourceType, VmRequest, VmTerm,
};
use atomvm_port::{atom, Encode, Error};

use crate::settings::{self, Caps, Orientation, Requested, Settings};

/// The driver to pass to `atomvm_port::vm::run`.
pub static DRIVER: PortDriver = PortDriver::new::<Display>(c"display");

/// The configuration, shared by the port and whoever in Erlang holds its reference. Only the
/// VM thread touches it, hence `Cell`.
pub struct DisplayConfig {
    width: u16,
    height: u16,
    depth: u8,
    orientation: Cell<Orientation>,
    backlight: Cell<u8>,
    hardware_rotation: Cell<bool>,
}

static CONFIG: ResourceType<DisplayConfig> = ResourceType::new(c"display_config");

/// The C side: devicetree lookups and Zephyr display/LED calls (display_glue.c).
mod glue {
    #[repr(C)]
    #[derive(Default)]
    pub struct Info {
        pub width: u16,
        pub height: u16,
        pub pixel_formats: u32,
        pub current_format: u32,
        pub has_backlight: bool,
    }

    extern "C" {
        /// 0, or -ENODEV when no display is selected or ready.
        pub fn atomvm_display_get_info(info: *mut Info) -> i32;
        pub fn atomvm_display_set_pixel_format(format: u32) -> i32;
        /// Zephyr orientation 0..=3: 0 rotated by the controller, 1 the driver cannot rotate,
        /// negative errno on failure.
        pub fn atomvm_display_set_orientation(orientation: u8) -> i32;
        /// Level 0..=255 on the LED (as percent) or the display's brightness API.
        pub fn atomvm_display_set_backlight(level: u8, percent: u8) -> i32;
    }
}

/// Whether a display port is open. There is one display: a second port would reconfigure it
/// (depth, orientation, backlight) under the first, so it is refused with `busy`.
static CLAIMED: AtomicBool = AtomicBool::new(false);

/// The display, taken by an open port; given back when the port's state (or a failed open)
/// drops it.
struct Claim(());

impl Claim {
    fn take() -> Result<Self, Error> {
        if CLAIMED.swap(true, Ordering::Acquire) {
            Err(Error::BUSY)
        } else {
            Ok(Claim(()))
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        CLAIMED.store(false, Ordering::Release);
    }
}

fn caps() -> Result<(Caps, glue::Info), Error> {
    let mut info = glue::Info::default();
    // SAFETY: writes the struct we pass; the C side is our own glue.
    if unsafe { glue::atomvm_display_get_info(&mut info) } != 0 {
        return Err(Error::NO_DEVICE);
    }
    let depths = settings::depths_of_formats(info.pixel_formats);
    let depth = settings::depth_of_format(info.current_format).unwrap_or(0);
    Ok((
        Caps {
            width: info.width,
            height: info.height,
            depths,
            depth,
            backlight: info.has_backlight,
        },
        info,
    ))
}

fn apply_backlight(level: u8) -> Result<(), Error> {
    // SAFETY: our glue; plain values.
    match unsafe { glue::atomvm_display_set_backlight(level, settings::level_to_percent(level)) } {
        0 => Ok(()),
        _ => Err(Error::IO),
    }
}

/// Sets the orientation in the controller when it can rotate; otherwise records it for the
/// application to rotate in software. Returns whether the hardware rotated.
fn apply_orientation(o: Orientation) -> Result<bool, Error> {
    // SAFETY: our glue; a plain value.
    match unsafe { glue::atomvm_display_set_orientation(o.zephyr()) } {
        0 => Ok(true),
        1 => Ok(false),
        _ => Err(Error::IO),
    }
}

/// One open display port: it holds the display and keeps the configuration resource alive.
pub struct Display {
    config: Resource<DisplayConfig>,
    has_backlight: bool,
    _claim: Claim,
}

/// A proplist value: a number or an atom.
enum Val {
    N(u32),
    A(&'static str),
}

impl Encode for Val {
    fn words<S: atomvm_port::Sink + ?Sized>(&self, s: &S) -> usize {
        match self {
            Val::N(n) => n.words(s),
            Val::A(_) => 0,
        }
    }
    fn encode<S: atomvm_port::Sink + ?Sized>(&self, s: &mut S) -> S::Raw {
        match self {
            Val::N(n) => n.encode(s),
            Val::A(a) => s.atom(a),
        }
    }
}

/// `{ok, [{width, W}, ...]}` as the application sees the screen (axes swapped at 90/270).
fn describe(c: &DisplayConfig) -> impl Encode {
    let o = c.orientation.get();
    let (w, h) = if o.swaps_axes() {
        (c.height, c.width)
    } else {
        (c.width, c.height)
    };
    let rotation = if c.hardware_rotation.get() {
        "hardware"
    } else {
        "software"
    };
    ok([
        (atom("width"), Val::N(w.into())),
        (atom("height"), Val::N(h.into())),
        (atom("depth"), Val::N(c.depth.into())),
        (atom("orientation"), Val::N(o.degrees().into())),
        (atom("backlight"), Val::N(c.backlight.get().into())),
        (atom("rotation"), Val::A(rotation)),
    ])
}

fn requested(opts: VmTerm<'_>) -> Result<Requested, Error> {
    let o = opts.options()?;
    o.only(&["width", "height", "depth", "orientation", "backlight"])?;
    Ok(Requested {
        width: o.value_or("width", None, |t| t.int().map(Some))?,
        height: o.value_or("height", None, |t| t.int().map(Some))?,
        depth: o.value_or("depth", None, |t| t.int_in(1u8..=32).map(Some))?,
        orientation: o.value_or("orientation", None, |t| t.int().map(Some))?,
        backlight: o.value_or("backlight", None, |t| t.int().map(Some))?,
    })
}

impl Port for Display {
    fn init(cx: &mut Open) {
        if let Err(e) = CONFIG.register(cx) {
            log::error!("display: cannot register its resource type: {e}");
        }
    }

    fn open(_cx: &mut Open, opts: VmTerm<'_>) -> Result<Self, Error> {
        let req = requested(opts)?;
        // Before any device call: a refused open leaves the open port's display alone.
        let claim = Claim::take()?;
        let (caps, info) = caps()?;
        let s: Settings = req.resolve(&caps)?;
        if s.depth != caps.depth {
            let format = settings::format_for_depth(info.pixel_formats, s.depth)
                .ok_or(Error::with("unsupported", "depth"))?;
            // SAFETY: our glue; a plain value.
            if unsafe { glue::atomvm_display_set_pixel_format(format) } != 0 {
                return Err(Error::IO.at("depth"));
            }
        }
        let hardware_rotation = apply_orientation(s.orientation)?;
        if caps.backlight {
            apply_backlight(s.backlight)?;
        }
        let config = CONFIG.create(DisplayConfig {
            width: s.width,
            height: s.height,
            depth: s.depth,
            orientation: Cell::new(s.orientation),
            backlight: Cell::new(s.backlight),
            hardware_rotation: Cell::new(hardware_rotation),
        })?;
        Ok(Display {
            config,
            has_backlight: caps.backlight,
            _claim: claim,
        })
    }

    fn call(&mut self, call: &mut Call, req: VmRequest<'_>) -> Result<Replied, Error> {
        let c = &*self.config;
        if req.is("get_config") {
            req.args::<0>()?;
            call.reply(&describe(c))
        } else if req.is("config_ref") {
            req.args::<0>()?;
            call.reply(&ok(self.config.clone()))
        } else if req.is("read_config") {
            let [r] = req.args::<1>()?;
            let other = CONFIG.get(r)?;
            call.reply(&describe(&other))
        } else if req.is("set_backlight") {
            let [level] = req.args::<1>()?;
            let level: u8 = level.int()?;
            if !self.has_backlight {
                return Err(Error::NOT_SUPPORTED);
            }
            apply_backlight(level)?;
            c.backlight.set(level);
            call.reply(&())
        } else if req.is("set_orientation") {
            let [deg] = req.args::<1>()?;
            let o = Orientation::from_degrees(deg.int()?)?;
            c.hardware_rotation.set(apply_orientation(o)?);
            c.orientation.set(o);
            call.reply(&())
        } else if req.is("stats") {
            req.args::<0>()?;
            let p = PortStats::get();
            let (created, destroyed) = CONFIG.counts();
            call.reply(&ok([
                (atom("ports_opened"), p.opened),
                (atom("ports_dropped"), p.dropped),
                (atom("configs_created"), created),
                (atom("configs_destroyed"), destroyed),
            ]))
        } else {
            Err(Error::UNKNOWN_COMMAND)
        }
    }
}
