// frame.frag: the texel under each pixel, as uploaded (the filter, nearest
// or linear, is the texture's).
#version 330 core

uniform sampler2D image;
in vec2 uv;
out vec4 colour;

void main()
{
    colour = texture(image, uv);
}
