/* Intentionally empty: the real library is Debian's shared one (see meson.build). */
typedef int veche_shim_unused;
