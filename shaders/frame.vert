// frame.vert: one textured rectangle filling the viewport (the frame
// image, the status bar or the help card). The corners come from
// gl_VertexID, drawn as a 4-vertex triangle strip, so no vertex buffer is
// needed. Texture row 0 holds the image's top row.
#version 330 core

out vec2 uv;

void main()
{
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
    uv = vec2(corner.x, 1.0 - corner.y);
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
