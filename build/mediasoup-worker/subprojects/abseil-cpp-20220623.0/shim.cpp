// Intentionally empty: the real library is Debian's shared one (see meson.build).
namespace veche_shim {}
