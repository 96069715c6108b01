// SPDX-License-Identifier: Apache-2.0

//! The port: the devicetree display (selected by `display_glue.c`, driven from here through
//! zephyr-hal's bindings of Zephyr's display and LED APIs) + the configuration resource.

use core::cell::Cell;

use atomvm_port::encode::ok;
use atomvm_port::vm::{
    Call, Open, Port, PortDriver, PortStats, Replied, Resource, ResourceType, VmRequest, VmTerm,
};
use atomvm_port::{atom, Claim, Encode, Error, Exclusive};

use zephyr_hal::{raw, Code, Errno};

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

atomvm_port::bindings! {
    /// The C side (display_glue.c): devicetree selection only, bound by bindgen from
    /// `include/atomvm_display.h` (build.rs), which C includes too.
    mod glue = "glue.rs";
}

/// A Zephyr API's result: `not_supported` for ENOSYS/ENOTSUP, `no_device` for ENODEV, `io`
/// for any other errno.
fn check(rc: i32) -> Result<(), Error> {
    if rc >= 0 {
        return Ok(());
    }
    Err(match Errno(rc).code() {
        Some(Code::ENOSYS | Code::ENOTSUP) => Error::NOT_SUPPORTED,
        Some(Code::ENODEV) => Error::NO_DEVICE,
        _ => Error::IO,
    })
}

/// The display and its backlight, as devicetree selects them.
struct Devices {
    display: *const raw::device,
    /// An LED controller and the LED's index; `None`: the display's brightness API.
    backlight: Option<(*const raw::device, u32)>,
}

impl Devices {
    /// `no_device` when devicetree selects no display or it is not ready.
    fn get() -> Result<Self, Error> {
        let mut d = glue::atomvm_display_devices::default();
        // SAFETY: our glue fills the struct we pass with static device pointers (or null).
        unsafe { glue::atomvm_display_devices(&mut d) };
        let display = d.display.cast::<raw::device>();
        // SAFETY: a device from devicetree; device_is_ready only reads it.
        if display.is_null() || !unsafe { raw::device_is_ready(display) } {
            return Err(Error::NO_DEVICE);
        }
        let backlight =
            (!d.backlight.is_null()).then(|| (d.backlight.cast::<raw::device>(), d.backlight_led));
        Ok(Self { display, backlight })
    }

    /// The capabilities, and the PIXEL_FORMAT_* bits the driver supports.
    fn caps(&self) -> (Caps, u32) {
        let mut c = raw::display_capabilities::default();
        // SAFETY: a ready display; the driver fills the struct we pass.
        unsafe { raw::display_get_capabilities(self.display, &mut c) };
        let formats = c.supported_pixel_formats;
        let backlight = match self.backlight {
            // SAFETY: a device from devicetree; device_is_ready only reads it.
            Some((led, _)) => unsafe { raw::device_is_ready(led) },
            // The display's own brightness control, when its driver has one (LTDC, for one,
            // does not): what DEVICE_API_GET(display, dev)->set_brightness reads.
            // SAFETY: a ready display device's API is its driver's display_driver_api.
            None => unsafe {
                (*(*self.display).api.cast::<raw::display_driver_api>())
                    .set_brightness
                    .is_some()
            },
        };
        let caps = Caps {
            width: c.x_resolution,
            height: c.y_resolution,
            depths: settings::depths_of_formats(formats),
            depth: settings::depth_of_format(c.current_pixel_format).unwrap_or(0),
            backlight,
        };
        (caps, formats)
    }

    fn set_pixel_format(&self, format: u32) -> Result<(), Error> {
        // SAFETY: a ready display; a plain value.
        check(unsafe { raw::display_set_pixel_format(self.display, format as _) })
    }

    /// Sets the orientation in the controller when it can rotate; otherwise the application
    /// rotates in software. Returns whether the hardware rotated.
    fn set_orientation(&self, o: Orientation) -> Result<bool, Error> {
        // SAFETY: a ready display; a plain value (0..=3, Zephyr's display_orientation).
        match check(unsafe { raw::display_set_orientation(self.display, o.zephyr() as _) }) {
            Ok(()) => Ok(true),
            Err(Error::NOT_SUPPORTED) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Level 0..=255: as a percent on the LED, or as is on the display's brightness API.
    fn set_backlight(&self, level: u8) -> Result<(), Error> {
        // SAFETY: ready devices (the LED's readiness is `Caps::backlight`, checked before any
        // backlight call); plain values.
        check(unsafe {
            match self.backlight {
                #[cfg(zephyr_led)]
                Some((led, index)) => {
                    raw::led_set_brightness(led, index, settings::level_to_percent(level))
                }
                // Without CONFIG_LED the glue selects no LED (it refuses to build with one).
                #[cfg(not(zephyr_led))]
                Some(_) => return Err(Error::NOT_SUPPORTED),
                None => raw::display_set_brightness(self.display, level),
            }
        })
    }
}

/// Whether a display port is open. There is one display: a second port would reconfigure it
/// (depth, orientation, backlight) under the first, so it is refused with `busy`.
static DISPLAY: Exclusive = Exclusive::new();

/// One open display port: it holds the display and keeps the configuration resource alive.
pub struct Display {
    config: Resource<DisplayConfig>,
    has_backlight: bool,
    devices: Devices,
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
        let claim = DISPLAY.claim()?;
        let devices = Devices::get()?;
        let (caps, formats) = devices.caps();
        let s: Settings = req.resolve(&caps)?;
        if s.depth != caps.depth {
            let format = settings::format_for_depth(formats, s.depth)
                .ok_or(Error::with("unsupported", "depth"))?;
            devices
                .set_pixel_format(format)
                .map_err(|e| e.at("depth"))?;
        }
        let hardware_rotation = devices.set_orientation(s.orientation)?;
        if caps.backlight {
            devices.set_backlight(s.backlight)?;
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
            devices,
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
            self.devices.set_backlight(level)?;
            c.backlight.set(level);
            call.reply(&())
        } else if req.is("set_orientation") {
            let [deg] = req.args::<1>()?;
            let o = Orientation::from_degrees(deg.int()?)?;
            c.hardware_rotation.set(self.devices.set_orientation(o)?);
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
