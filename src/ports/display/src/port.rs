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

/// The C side (display_glue.c): devicetree selection and Zephyr's display/LED calls, bound by
/// bindgen from `include/atomvm_display.h` (build.rs), which C includes too.
#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    dead_code,
    missing_docs,
    clippy::all
)]
mod glue {
    include!(concat!(env!("OUT_DIR"), "/glue.rs"));
}

/// A glue status as a result.
fn check(status: i32) -> Result<(), Error> {
    match status {
        glue::ATOMVM_DISPLAY_OK => Ok(()),
        glue::ATOMVM_DISPLAY_NO_DEVICE => Err(Error::NO_DEVICE),
        glue::ATOMVM_DISPLAY_NOT_SUPPORTED => Err(Error::NOT_SUPPORTED),
        _ => Err(Error::IO),
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

fn caps() -> Result<(Caps, glue::atomvm_display_info), Error> {
    let mut info = glue::atomvm_display_info::default();
    // SAFETY: writes the struct we pass; the C side is our own glue.
    check(unsafe { glue::atomvm_display_get_info(&mut info) })?;
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
    check(unsafe { glue::atomvm_display_set_backlight(level, settings::level_to_percent(level)) })
}

/// Sets the orientation in the controller when it can rotate; otherwise records it for the
/// application to rotate in software. Returns whether the hardware rotated.
fn apply_orientation(o: Orientation) -> Result<bool, Error> {
    // SAFETY: our glue; a plain value.
    match unsafe { glue::atomvm_display_set_orientation(o.zephyr()) } {
        glue::ATOMVM_DISPLAY_SOFTWARE_ROTATION => Ok(false),
        status => check(status).map(|()| true),
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
            check(unsafe { glue::atomvm_display_set_pixel_format(format) })
                .map_err(|e| e.at("depth"))?;
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
