/* The viewer's window: GLFW, an OpenGL 3.3 core context through libepoxy,
 * the embedded shaders, textures for the frame, status bar and help, and
 * the input queue. The only file that includes GLFW and GL headers. */
#include "viewer/window.h"

#include "core/embedded.h"

#include <epoxy/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The shaders, embedded at build time from shaders/. */
extern const struct remap_embedded remap_shaders[];

#define INPUT_QUEUE 256

typedef struct layer {
    GLuint texture;
    int width, height;
} layer;

struct remap_window {
    GLFWwindow *glfw;
    GLuint program, vao;
    GLint image_uniform;
    layer layers[REMAP_LAYER_COUNT];
    remap_input queue[INPUT_QUEUE];
    size_t queued;
    bool pressed;
};

/* GLFW reports errors through a callback; the last one is kept per
 * thread for the message of a failed call. */
static _Thread_local char glfw_message[512];

static void on_error(int code, const char *text)
{
    snprintf(glfw_message, sizeof glfw_message, "%s (GLFW error 0x%x)", text,
             code);
}

static void push(remap_window *w, remap_input in)
{
    /* A full queue drops the newest input: nobody types 256 keys between
     * two frames of the main loop. */
    if (w->queued < INPUT_QUEUE)
        w->queue[w->queued++] = in;
}

static void on_char(GLFWwindow *g, unsigned int c)
{
    if (c < 128)
        push(glfwGetWindowUserPointer(g),
             (remap_input){.kind = REMAP_INPUT_KEY, .key = (int)c});
}

static void on_key(GLFWwindow *g, int key, int scancode, int action, int mods)
{
    (void)scancode, (void)mods;
    if (action == GLFW_RELEASE)
        return;
    /* Printable keys arrive through on_char (which follows the keyboard
     * layout); here only those without a character. */
    int k = key == GLFW_KEY_TAB       ? '\t'
            : key == GLFW_KEY_ESCAPE  ? 27
            : key == GLFW_KEY_KP_ADD  ? '+'
            : key == GLFW_KEY_KP_SUBTRACT ? '-'
                                      : 0;
    if (k)
        push(glfwGetWindowUserPointer(g),
             (remap_input){.kind = REMAP_INPUT_KEY, .key = k});
}

static void on_button(GLFWwindow *g, int button, int action, int mods)
{
    (void)mods;
    remap_window *w = glfwGetWindowUserPointer(g);
    if (button != GLFW_MOUSE_BUTTON_LEFT)
        return;
    double x, y;
    glfwGetCursorPos(g, &x, &y);
    if (action == GLFW_PRESS) {
        w->pressed = true;
        push(w, (remap_input){.kind = REMAP_INPUT_PRESS, .x = x, .y = y});
    } else if (w->pressed) {
        w->pressed = false;
        push(w, (remap_input){.kind = REMAP_INPUT_RELEASE, .x = x, .y = y});
    }
}

static void on_close(GLFWwindow *g)
{
    /* The viewer decides when to close: it stops the run first. */
    glfwSetWindowShouldClose(g, GLFW_FALSE);
    push(glfwGetWindowUserPointer(g),
         (remap_input){.kind = REMAP_INPUT_CLOSE});
}

static remap_status shader(GLenum kind, const char *name, GLuint *out,
                           remap_error *err)
{
    const char *text = remap_embedded_find(remap_shaders, name);
    if (!text)
        return remap_fail(err, REMAP_EINVAL, "shader %s is not embedded",
                          name);
    GLuint s = glCreateShader(kind);
    glShaderSource(s, 1, &text, NULL);
    glCompileShader(s);
    GLint ok = GL_FALSE;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[4096] = "";
        glGetShaderInfoLog(s, sizeof log, NULL, log);
        glDeleteShader(s);
        return remap_fail(err, REMAP_EDEVICE, "shaders/%s does not build:\n%s",
                          name, log);
    }
    *out = s;
    return REMAP_OK;
}

static remap_status program(remap_window *w, remap_error *err)
{
    GLuint vs = 0, fs = 0;
    remap_status st;
    if ((st = shader(GL_VERTEX_SHADER, "frame.vert", &vs, err)) ||
        (st = shader(GL_FRAGMENT_SHADER, "frame.frag", &fs, err))) {
        if (vs)
            glDeleteShader(vs);
        return st;
    }
    w->program = glCreateProgram();
    glAttachShader(w->program, vs);
    glAttachShader(w->program, fs);
    glLinkProgram(w->program);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = GL_FALSE;
    glGetProgramiv(w->program, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[4096] = "";
        glGetProgramInfoLog(w->program, sizeof log, NULL, log);
        return remap_fail(err, REMAP_EDEVICE,
                          "shaders frame.vert and frame.frag do not link:\n%s",
                          log);
    }
    w->image_uniform = glGetUniformLocation(w->program, "image");
    /* A core context draws only with a vertex array bound, even one with
     * no attributes. */
    glGenVertexArrays(1, &w->vao);
    for (int i = 0; i < REMAP_LAYER_COUNT; i++)
        glGenTextures(1, &w->layers[i].texture);
    return REMAP_OK;
}

remap_status remap_window_create(const char *title, int width, int height,
                                 remap_window **out, bool *no_display,
                                 remap_error *err)
{
    *out = NULL;
    *no_display = false;
    glfwSetErrorCallback(on_error);
    glfw_message[0] = '\0';
    if (!glfwInit()) {
        *no_display = true;
        return remap_fail(err, REMAP_EIO, "cannot open a display: %s",
                          glfw_message[0] ? glfw_message : "glfwInit failed");
    }
    remap_window *w = calloc(1, sizeof *w);
    if (!w) {
        glfwTerminate();
        return remap_fail(err, REMAP_ENOMEM, "viewer: out of memory");
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    /* The window is sized below in pixels; no scaling by the platform. */
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_FALSE);
    glfwWindowHint(GLFW_COCOA_RETINA_FRAMEBUFFER, GLFW_TRUE);
    glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    w->glfw = glfwCreateWindow(width, height, title, NULL, NULL);
    if (!w->glfw) {
        free(w);
        glfwTerminate();
        return remap_fail(err, REMAP_EDEVICE,
                          "cannot open an OpenGL 3.3 core window: %s",
                          glfw_message[0] ? glfw_message : "unknown reason");
    }
    glfwSetWindowUserPointer(w->glfw, w);
    glfwMakeContextCurrent(w->glfw);
    glfwSwapInterval(1);
    remap_status st = program(w, err);
    if (st) {
        remap_window_destroy(w);
        return st;
    }
    /* On a HiDPI display the framebuffer has more pixels than the window
     * has screen coordinates: size the window so that the framebuffer,
     * not the window, is width x height, within the work area. */
    int fw, fh, ww, wh;
    glfwGetFramebufferSize(w->glfw, &fw, &fh);
    glfwGetWindowSize(w->glfw, &ww, &wh);
    double sx = ww > 0 && fw > 0 ? (double)fw / ww : 1.0;
    double sy = wh > 0 && fh > 0 ? (double)fh / wh : 1.0;
    int want_w = (int)(width / sx + 0.5), want_h = (int)(height / sy + 0.5);
    int ax, ay, aw = 0, ah = 0;
    GLFWmonitor *mon = glfwGetPrimaryMonitor();
    if (mon)
        glfwGetMonitorWorkarea(mon, &ax, &ay, &aw, &ah);
    if (aw > 0 && ah > 0 && (want_w > aw || want_h > ah)) {
        double k = (double)aw / want_w < (double)ah / want_h
                       ? (double)aw / want_w
                       : (double)ah / want_h;
        want_w = (int)(want_w * k), want_h = (int)(want_h * k);
    }
    if (want_w != ww || want_h != wh)
        glfwSetWindowSize(w->glfw, want_w, want_h);
    glfwSetCharCallback(w->glfw, on_char);
    glfwSetKeyCallback(w->glfw, on_key);
    glfwSetMouseButtonCallback(w->glfw, on_button);
    glfwSetWindowCloseCallback(w->glfw, on_close);
    glfwShowWindow(w->glfw);
    *out = w;
    return REMAP_OK;
}

void remap_window_destroy(remap_window *w)
{
    if (!w)
        return;
    if (w->glfw) {
        glfwMakeContextCurrent(w->glfw);
        for (int i = 0; i < REMAP_LAYER_COUNT; i++)
            if (w->layers[i].texture)
                glDeleteTextures(1, &w->layers[i].texture);
        if (w->vao)
            glDeleteVertexArrays(1, &w->vao);
        if (w->program)
            glDeleteProgram(w->program);
        glfwDestroyWindow(w->glfw);
    }
    free(w);
    glfwTerminate();
}

void remap_window_wait(remap_window *w, double timeout)
{
    (void)w;
    if (timeout > 0)
        glfwWaitEventsTimeout(timeout);
    else
        glfwPollEvents();
}

size_t remap_window_take(remap_window *w, remap_input *out, size_t max)
{
    size_t n = w->queued < max ? w->queued : max;
    memcpy(out, w->queue, n * sizeof *out);
    memmove(w->queue, w->queue + n, (w->queued - n) * sizeof *out);
    w->queued -= n;
    return n;
}

void remap_window_wake(void)
{
    glfwPostEmptyEvent();
}

void remap_window_size(remap_window *w, int *fb_w, int *fb_h, int *win_w,
                       int *win_h, float *scale)
{
    glfwGetFramebufferSize(w->glfw, fb_w, fb_h);
    glfwGetWindowSize(w->glfw, win_w, win_h);
    float sx = 1.0f, sy = 1.0f;
    glfwGetWindowContentScale(w->glfw, &sx, &sy);
    *scale = sy > 0.0f ? sy : 1.0f;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void remap_window_resize(remap_window *w, int width, int height)
{
    glfwSetWindowSize(w->glfw, width, height);
    /* The window system answers in its own time. */
    double until = seconds() + 1.0;
    int ww, wh;
    do {
        glfwWaitEventsTimeout(0.02);
        glfwGetWindowSize(w->glfw, &ww, &wh);
    } while ((ww != width || wh != height) && seconds() < until);
}

remap_status remap_window_upload(remap_window *w, remap_layer which,
                                 const remap_image *img, remap_error *err)
{
    layer *l = &w->layers[which];
    glBindTexture(GL_TEXTURE_2D, l->texture);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    if (l->width != img->width || l->height != img->height) {
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, img->width, img->height, 0,
                     GL_RGBA, GL_UNSIGNED_BYTE, img->rgba);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        l->width = img->width, l->height = img->height;
    } else {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, img->width, img->height,
                        GL_RGBA, GL_UNSIGNED_BYTE, img->rgba);
    }
    GLenum e = glGetError();
    if (e != GL_NO_ERROR)
        return remap_fail(err, REMAP_EDEVICE,
                          "uploading a %dx%d image failed (GL error 0x%x)",
                          img->width, img->height, e);
    return REMAP_OK;
}

/* Draws a layer into the framebuffer rectangle (x, y from the top). */
static void quad(remap_window *w, const remap_viewport *v, remap_layer which,
                 int x, int y, int width, int height, bool nearest)
{
    layer *l = &w->layers[which];
    if (!l->width)
        return;
    glViewport(x, v->fb_h - y - height, width, height);
    glBindTexture(GL_TEXTURE_2D, l->texture);
    GLint f = nearest ? GL_NEAREST : GL_LINEAR;
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, f);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, f);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

remap_status remap_window_draw(remap_window *w, const remap_viewport *v,
                               bool help, remap_error *err)
{
    glViewport(0, 0, v->fb_w, v->fb_h);
    /* The letterbox takes the frame's background colour. */
    glClearColor(16 / 255.0f, 16 / 255.0f, 20 / 255.0f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    glUseProgram(w->program);
    glBindVertexArray(w->vao);
    glActiveTexture(GL_TEXTURE0);
    glUniform1i(w->image_uniform, 0);
    glDisable(GL_BLEND);
    quad(w, v, REMAP_LAYER_FRAME, v->x, v->y, v->w, v->h, v->exact);
    const layer *bar = &w->layers[REMAP_LAYER_BAR];
    quad(w, v, REMAP_LAYER_BAR, 0, v->fb_h - bar->height, bar->width,
         bar->height, true);
    const layer *card = &w->layers[REMAP_LAYER_HELP];
    if (help && card->width) {
        glEnable(GL_BLEND);
        glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
        quad(w, v, REMAP_LAYER_HELP, v->x + (v->w - card->width) / 2,
             v->y + (v->h - card->height) / 2, card->width, card->height,
             true);
        glDisable(GL_BLEND);
    }
    GLenum e = glGetError();
    if (e != GL_NO_ERROR)
        return remap_fail(err, REMAP_EDEVICE, "drawing failed (GL error 0x%x)",
                          e);
    return REMAP_OK;
}

remap_status remap_window_read(remap_window *w, int x, int y, int width,
                               int height, remap_image *out, remap_error *err)
{
    static const uint8_t black[4] = {0, 0, 0, 255};
    int fb_w, fb_h;
    glfwGetFramebufferSize(w->glfw, &fb_w, &fb_h);
    remap_status st = remap_image_create(width, height, black, out, err);
    if (st)
        return st;
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    glPixelStorei(GL_PACK_ROW_LENGTH, 0);
    glReadBuffer(GL_BACK);
    glReadPixels(x, fb_h - y - height, width, height, GL_RGBA,
                 GL_UNSIGNED_BYTE, out->rgba);
    GLenum e = glGetError();
    if (e != GL_NO_ERROR) {
        remap_image_free(out);
        return remap_fail(err, REMAP_EDEVICE,
                          "reading back the window failed (GL error 0x%x)", e);
    }
    /* GL rows run bottom up; images top down. */
    size_t row = (size_t)width * 4;
    uint8_t *tmp = malloc(row);
    if (!tmp) {
        remap_image_free(out);
        return remap_fail(err, REMAP_ENOMEM, "viewer: out of memory");
    }
    for (int j = 0; j < height / 2; j++) {
        uint8_t *a = remap_image_at(out, 0, j);
        uint8_t *b = remap_image_at(out, 0, height - 1 - j);
        memcpy(tmp, a, row);
        memcpy(a, b, row);
        memcpy(b, tmp, row);
    }
    free(tmp);
    /* The framebuffer may have no alpha channel: what is shown is opaque. */
    for (size_t i = 0; i < (size_t)width * (size_t)height; i++)
        out->rgba[4 * i + 3] = 255;
    return REMAP_OK;
}

void remap_window_swap(remap_window *w)
{
    glfwSwapBuffers(w->glfw);
}
