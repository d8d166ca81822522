//! The Bevy app: plugins, resources, and the order systems run in.

use std::path::PathBuf;
use std::time::Duration;

use bevy::app::ScheduleRunnerPlugin;
use bevy::asset::RenderAssetUsages;
use bevy::camera::RenderTarget;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat, TextureUsages};
use bevy::time::TimeUpdateStrategy;
use bevy::window::{ExitCondition, WindowResolution};
use bevy::winit::WinitPlugin;

use crate::capture::{self, Capture};
use crate::controls;
use crate::edit::Tool;
use crate::heat::HeatLayer;
use crate::layout::{SCALES, auto_scale};
use crate::lesson_run::{self, LessonRun};
use crate::panel;
use crate::sim_thread::{SimHandle, Start};
use crate::snapshot::Snapshot;
use crate::view;

/// Background of the canvas.
pub const CLEAR: Color = Color::srgb_u8(0, 0, 0);

/// How the app runs.
pub struct Config {
    pub start: Start,
    pub size: (u32, u32),
    /// No window: render into an image (screenshots, recordings).
    pub headless: bool,
    pub screenshot: Option<PathBuf>,
    pub record: Option<PathBuf>,
    pub after_ticks: u64,
    pub save_to: PathBuf,
    pub heat: HeatLayer,
    pub fps: bool,
    /// Draw this many frames, then exit.
    pub frames: Option<u64>,
    /// The UI scale; `None`: from the canvas size.
    pub scale: Option<f32>,
    /// The street-lighting layer shown by day too.
    pub lighting: bool,
    pub lesson: Option<LessonRun>,
}

/// The simulation thread.
#[derive(Resource)]
pub struct Sim(pub SimHandle);

/// The snapshot on screen, and whether it arrived this frame.
#[derive(Resource, Default)]
pub struct Current {
    pub snapshot: Option<Snapshot>,
    pub fresh: bool,
}

/// What the trainer has chosen in the view.
#[derive(Resource)]
pub struct ViewState {
    pub heat: HeatLayer,
    /// The street-lighting layer by day (it is always shown at night).
    pub lighting: bool,
    /// The UI scale chosen; `None`: from the canvas size.
    pub scale: Option<f32>,
    /// The placed intervention selected, to change its settings.
    pub selected: Option<usize>,
    pub tool: Option<Tool>,
    /// A drag in progress: the cell it started at.
    pub drag: Option<(u32, u32)>,
    /// The cell under the mouse on the edited map.
    pub hover: Option<(u32, u32)>,
    pub save_to: PathBuf,
    pub show_fps: bool,
    pub fps: f32,
    /// Rendering into an image at a fixed step: no frame rate on the panel,
    /// so the picture depends on the run only.
    pub headless: bool,
}

/// The canvas size in logical pixels (the window's, or the image's), and
/// the UI scale in use.
#[derive(Resource, Clone, Copy)]
pub struct Canvas {
    pub width: f32,
    pub height: f32,
    pub scale: f32,
}

impl Canvas {
    /// What [`crate::layout`] takes.
    pub fn dims(&self) -> (f32, f32, f32) {
        (self.width, self.height, self.scale)
    }
}

/// The next UI scale the `U` key gives.
pub fn next_scale(now: f32) -> f32 {
    SCALES
        .iter()
        .copied()
        .find(|&s| s > now + 1e-3)
        .unwrap_or(SCALES[0])
}

/// Where a headless app renders.
#[derive(Resource, Clone)]
pub struct Target(pub Handle<Image>);

pub fn run(cfg: Config) -> AppExit {
    let mut app = App::new();
    let (w, h) = cfg.size;
    let image = ImagePlugin::default_nearest();
    if cfg.headless {
        app.add_plugins(
            DefaultPlugins
                .set(image)
                .set(WindowPlugin {
                    primary_window: None,
                    exit_condition: ExitCondition::DontExit,
                    ..default()
                })
                .disable::<WinitPlugin>(),
        )
        .add_plugins(ScheduleRunnerPlugin::run_loop(Duration::ZERO))
        // A fixed step: the picture does not depend on how fast frames come.
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f64(
            1.0 / 30.0,
        )));
    } else {
        app.add_plugins(DefaultPlugins.set(image).set(WindowPlugin {
            primary_window: Some(Window {
                title: "crimesim-viz".into(),
                resolution: WindowResolution::new(w, h),
                ..default()
            }),
            ..default()
        }));
    }
    capture::track_pipelines(&mut app);
    let mut cap = Capture::new(cfg.screenshot, cfg.record, cfg.after_ticks, cfg.headless);
    if let Some(l) = cfg.lesson {
        cap.paced = cfg.headless;
        app.insert_resource(l);
    }
    if let Some(n) = cfg.frames {
        cap.paced = true;
        app.insert_resource(FrameLimit(n));
    }
    app.insert_resource(ClearColor(CLEAR))
        .insert_resource(Canvas {
            width: w as f32,
            height: h as f32,
            scale: cfg.scale.unwrap_or_else(|| auto_scale(w as f32, h as f32)),
        })
        .insert_resource(Current::default())
        .insert_resource(ViewState {
            heat: cfg.heat,
            lighting: cfg.lighting,
            scale: cfg.scale,
            selected: None,
            tool: None,
            drag: None,
            hover: None,
            save_to: cfg.save_to,
            show_fps: cfg.fps,
            fps: 0.0,
            headless: cfg.headless,
        })
        .insert_resource(cap)
        .insert_resource(Sim(SimHandle::spawn(cfg.start)))
        .add_systems(
            Startup,
            (
                move |commands: Commands, images: ResMut<Assets<Image>>| {
                    setup_camera(commands, images, cfg.headless, (w, h))
                },
                view::setup,
                panel::setup,
            )
                .chain(),
        )
        .add_systems(
            Update,
            (
                receive,
                canvas_size,
                controls::keyboard,
                controls::mouse,
                controls::dropped_files,
                lesson_run::keys,
                lesson_run::play_through,
                view::update_textures,
                view::layout,
                view::draw_gizmos,
                panel::update,
                capture::capture,
                capture::flush,
                measure_fps,
                frame_limit,
            )
                .chain(),
        );
    app.run()
}

fn setup_camera(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    headless: bool,
    (w, h): (u32, u32),
) {
    if headless {
        let mut image = Image::new_fill(
            Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
            TextureDimension::D2,
            &[0, 0, 0, 255],
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::default(),
        );
        image.texture_descriptor.usage = TextureUsages::TEXTURE_BINDING
            | TextureUsages::COPY_SRC
            | TextureUsages::COPY_DST
            | TextureUsages::RENDER_ATTACHMENT;
        let handle = images.add(image);
        commands.spawn((
            Camera2d,
            // No multisampling: cells and outlines are axis-aligned, and four
            // samples a pixel cost a software driver most of its frame.
            Msaa::Off,
            RenderTarget::Image(handle.clone().into()),
            IsDefaultUiCamera,
        ));
        commands.insert_resource(Target(handle));
    } else {
        commands.spawn((Camera2d, Msaa::Off, IsDefaultUiCamera));
    }
}

/// Takes the newest snapshot the simulation has published, if any.
fn receive(sim: Res<Sim>, mut current: ResMut<Current>) {
    match sim.0.take() {
        Some(s) => {
            current.snapshot = Some(s);
            current.fresh = true;
        }
        None => current.fresh = false,
    }
}

/// The canvas size and UI scale, passed on to Bevy's UI and the gizmos.
fn canvas_size(
    windows: Query<&Window>,
    view: Res<ViewState>,
    mut canvas: ResMut<Canvas>,
    mut ui_scale: ResMut<UiScale>,
    mut store: ResMut<GizmoConfigStore>,
) {
    let (mut width, mut height) = (canvas.width, canvas.height);
    if let Some(w) = windows.iter().next()
        && w.width() > 0.0
        && w.height() > 0.0
    {
        (width, height) = (w.width(), w.height());
    }
    let scale = view.scale.unwrap_or_else(|| auto_scale(width, height));
    if canvas.width != width || canvas.height != height || canvas.scale != scale {
        *canvas = Canvas {
            width,
            height,
            scale,
        };
    }
    if ui_scale.0 != scale {
        ui_scale.0 = scale;
        let (config, _) = store.config_mut::<DefaultGizmoConfigGroup>();
        config.line.width = view::LINE_WIDTH * scale;
    }
}

/// `--frames N`: the app exits after N frames.
#[derive(Resource)]
pub struct FrameLimit(pub u64);

fn frame_limit(
    limit: Option<Res<FrameLimit>>,
    mut drawn: Local<u64>,
    mut exit: MessageWriter<AppExit>,
) {
    if let Some(l) = limit {
        *drawn += 1;
        if *drawn == l.0 {
            exit.write(AppExit::Success);
        }
    }
}

/// Frames per second of wall-clock time (also when time is fixed-step).
fn measure_fps(mut view: ResMut<ViewState>, mut acc: Local<Option<(std::time::Instant, u32)>>) {
    let (since, frames) = acc.get_or_insert((std::time::Instant::now(), 0));
    *frames += 1;
    let secs = since.elapsed().as_secs_f32();
    if secs >= 1.0 {
        view.fps = *frames as f32 / secs;
        if view.show_fps {
            eprintln!("fps: {:.1}", view.fps);
        }
        *acc = None;
    }
}
