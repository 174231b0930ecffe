// Serializes a model collected through the C API with flatbuffers' builder.

#include "hk_tflite_writer.h"

#include <string>
#include <vector>

#include "harken_tflite_generated.h"

namespace tfl = harken::tflite;
using flatbuffers::Offset;

struct hk_tflw {
    flatbuffers::FlatBufferBuilder fbb{1 << 16};
    std::vector<Offset<tfl::Buffer>> buffers;
    std::vector<std::pair<int32_t, int32_t>> codes;
    std::vector<Offset<tfl::SubGraph>> subgraphs;
    std::string subgraph_name;
    std::vector<Offset<tfl::Tensor>> tensors;
    std::vector<Offset<tfl::Operator>> operators;
};

namespace {

std::string text(const hk_tfl_string &s) { return s.data ? std::string(s.data, s.length) : std::string(); }

Offset<void> options(flatbuffers::FlatBufferBuilder &b, int32_t type, const hk_tfl_options &o) {
    auto act = static_cast<tfl::ActivationFunctionType>(o.activation);
    auto pad = static_cast<tfl::Padding>(o.padding);
    switch (static_cast<tfl::BuiltinOptions>(type)) {
    case tfl::BuiltinOptions::Conv2DOptions:
        return tfl::CreateConv2DOptions(b, pad, o.stride_w, o.stride_h, act, o.dilation_w, o.dilation_h).Union();
    case tfl::BuiltinOptions::DepthwiseConv2DOptions: {
        tfl::DepthwiseConv2DOptionsBuilder d(b);
        d.add_padding(pad); d.add_stride_w(o.stride_w); d.add_stride_h(o.stride_h);
        d.add_depth_multiplier(o.depth_multiplier); d.add_fused_activation_function(act);
        d.add_dilation_w_factor(o.dilation_w); d.add_dilation_h_factor(o.dilation_h);
        return d.Finish().Union();
    }
    case tfl::BuiltinOptions::FullyConnectedOptions: {
        tfl::FullyConnectedOptionsBuilder f(b);
        f.add_fused_activation_function(act);
        f.add_keep_num_dims(o.keep_num_dims != 0);
        return f.Finish().Union();
    }
    case tfl::BuiltinOptions::Pool2DOptions:
        return tfl::CreatePool2DOptions(b, pad, o.stride_w, o.stride_h, o.filter_w, o.filter_h, act).Union();
    case tfl::BuiltinOptions::SoftmaxOptions: return tfl::CreateSoftmaxOptions(b, o.beta).Union();
    case tfl::BuiltinOptions::ReducerOptions: return tfl::CreateReducerOptions(b, o.keep_dims != 0).Union();
    case tfl::BuiltinOptions::ConcatenationOptions: return tfl::CreateConcatenationOptions(b, o.axis, act).Union();
    case tfl::BuiltinOptions::AddOptions: {
        tfl::AddOptionsBuilder a(b);
        a.add_fused_activation_function(act);
        return a.Finish().Union();
    }
    case tfl::BuiltinOptions::MulOptions: return tfl::CreateMulOptions(b, act).Union();
    case tfl::BuiltinOptions::ReshapeOptions: {
        auto shape = b.CreateVector(o.new_shape.data, o.new_shape.count);
        return tfl::CreateReshapeOptions(b, shape).Union();
    }
    case tfl::BuiltinOptions::StridedSliceOptions: {
        tfl::StridedSliceOptionsBuilder s(b);
        s.add_begin_mask(o.begin_mask); s.add_end_mask(o.end_mask); s.add_ellipsis_mask(o.ellipsis_mask);
        s.add_new_axis_mask(o.new_axis_mask); s.add_shrink_axis_mask(o.shrink_axis_mask); s.add_offset(o.offset != 0);
        return s.Finish().Union();
    }
    case tfl::BuiltinOptions::QuantizeOptions: return tfl::CreateQuantizeOptions(b).Union();
    case tfl::BuiltinOptions::HardSwishOptions: return tfl::CreateHardSwishOptions(b).Union();
    case tfl::BuiltinOptions::CallOnceOptions: return tfl::CreateCallOnceOptions(b, o.init_subgraph_index).Union();
    case tfl::BuiltinOptions::VarHandleOptions: {
        auto container = b.CreateString(text(o.container)), shared = b.CreateString(text(o.shared_name));
        return tfl::CreateVarHandleOptions(b, container, shared).Union();
    }
    case tfl::BuiltinOptions::ReadVariableOptions: return tfl::CreateReadVariableOptions(b).Union();
    case tfl::BuiltinOptions::AssignVariableOptions: return tfl::CreateAssignVariableOptions(b).Union();
    default: return 0;
    }
}

}  // namespace

extern "C" {

hk_tflw *hk_tflw_new(void) {
    hk_tflw *w = new hk_tflw;
    w->buffers.push_back(tfl::CreateBuffer(w->fbb));
    return w;
}

void hk_tflw_free(hk_tflw *w) { delete w; }

uint32_t hk_tflw_buffer(hk_tflw *w, const uint8_t *data, size_t length) {
    // Constant data is 16-byte aligned, as TFLM's kernels may read it in wide words.
    w->fbb.ForceVectorAlignment(length, 1, 16);
    auto v = w->fbb.CreateVector(data, length);
    w->buffers.push_back(tfl::CreateBuffer(w->fbb, v));
    return static_cast<uint32_t>(w->buffers.size() - 1);
}

uint32_t hk_tflw_opcode(hk_tflw *w, int32_t builtin_code, int32_t version) {
    for (size_t i = 0; i < w->codes.size(); ++i) {
        if (w->codes[i].first == builtin_code && w->codes[i].second == version) return static_cast<uint32_t>(i);
    }
    w->codes.emplace_back(builtin_code, version);
    return static_cast<uint32_t>(w->codes.size() - 1);
}

void hk_tflw_begin_subgraph(hk_tflw *w, const char *name) {
    w->subgraph_name = name ? name : "";
    w->tensors.clear();
    w->operators.clear();
}

int32_t hk_tflw_tensor(hk_tflw *w, const char *name, int32_t type, const int32_t *shape, uint32_t rank, uint32_t buffer,
                       const float *scales, const int64_t *zero_points, uint32_t quant_count, int32_t quantized_dimension) {
    auto &b = w->fbb;
    auto s = b.CreateVector(shape, rank);
    auto n = b.CreateString(name ? name : "");
    Offset<tfl::QuantizationParameters> q = 0;
    if (quant_count > 0) {
        q = tfl::CreateQuantizationParameters(b, 0, 0, b.CreateVector(scales, quant_count), b.CreateVector(zero_points, quant_count),
                                              tfl::QuantizationDetails::NONE, 0, quantized_dimension);
    }
    w->tensors.push_back(tfl::CreateTensor(b, s, static_cast<tfl::TensorType>(type), buffer, n, q, false));
    return static_cast<int32_t>(w->tensors.size() - 1);
}

void hk_tflw_operator(hk_tflw *w, uint32_t opcode, const int32_t *inputs, uint32_t input_count,
                      const int32_t *outputs, uint32_t output_count, int32_t options_type, const hk_tfl_options *o) {
    auto &b = w->fbb;
    auto in = b.CreateVector(inputs, input_count), out = b.CreateVector(outputs, output_count);
    hk_tfl_options none{};
    auto opt = options(b, options_type, o ? *o : none);
    w->operators.push_back(tfl::CreateOperator(b, opcode, in, out, !opt.IsNull() ? static_cast<tfl::BuiltinOptions>(options_type) : tfl::BuiltinOptions::NONE, opt));
}

void hk_tflw_end_subgraph(hk_tflw *w, const int32_t *inputs, uint32_t input_count, const int32_t *outputs, uint32_t output_count) {
    auto &b = w->fbb;
    auto t = b.CreateVector(w->tensors);
    auto ops = b.CreateVector(w->operators);
    auto in = b.CreateVector(inputs, input_count);
    auto out = b.CreateVector(outputs, output_count);
    w->subgraphs.push_back(tfl::CreateSubGraph(b, t, in, out, ops, b.CreateString(w->subgraph_name)));
}

void hk_tflw_finish(hk_tflw *w, const char *description, const uint8_t **data, size_t *length) {
    auto &b = w->fbb;
    std::vector<Offset<tfl::OperatorCode>> codes;
    for (auto &c : w->codes) {
        // deprecated_builtin_code holds codes below 127 (readers take the larger of the two fields).
        codes.push_back(tfl::CreateOperatorCode(b, static_cast<int8_t>(c.first < 127 ? c.first : 127), 0, c.second, c.first));
    }
    auto model = tfl::CreateModel(b, 3, b.CreateVector(codes), b.CreateVector(w->subgraphs),
                                  b.CreateString(description ? description : ""), b.CreateVector(w->buffers));
    b.Finish(model, "TFL3");
    *data = b.GetBufferPointer();
    *length = b.GetSize();
}

}  // extern "C"
