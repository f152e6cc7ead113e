// PyTorch bindings of a translated file: one op per kernel name (include/tilecc/torch.hpp holds
// what the printed code calls).
#include "translator/codegen/emit_torch.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <vector>

#include "translator/codegen/emit_cuda.hpp"

namespace tilecc::codegen {
namespace {

using ir::DType;

[[noreturn]] void fail(const ir::Kernel& k, const std::string& what, const std::string& hint) {
  throw CodegenError(fmt::format("{}:{}:{}: error: kernel '{}': {}\n  note: {}", k.source_file, k.loc.line,
                                 k.loc.column, k.name, what, hint));
}

std::string display_name(const ir::Kernel& k) { return k.instance.empty() ? k.name : k.name + "<" + k.instance + ">"; }

const char* scalar_type(DType t) {
  switch (t) {
    case DType::f16: return "at::kHalf";
    case DType::bf16: return "at::kBFloat16";
    case DType::f32: return "at::kFloat";
    case DType::f64: return "at::kDouble";
    case DType::i8: return "at::kChar";
    case DType::i32: return "at::kInt";
    case DType::i64: return "at::kLong";
    case DType::b1: return "at::kBool";
    case DType::u8: return "at::kByte";
    case DType::fp8e4m3: return "at::kFloat8_e4m3fn";
    case DType::fp8e5m2: return "at::kFloat8_e5m2";
  }
  return "";
}

/// A scalar parameter's schema type and the C++ type it reaches the kernel as (converted by
/// tilecc::torch_ops::scalar: 16- and 8-bit floats rounded from float, integers range-checked).
struct ScalarSpelling {
  const char* schema;  // "float", "int", "bool"
  const char* op_cpp;  // the op function's parameter: double, int64_t, bool
  const char* kernel_cpp;
};

ScalarSpelling scalar_spelling(DType t) {
  switch (t) {
    case DType::f16: return {"float", "double", "tilecc::f16"};
    case DType::bf16: return {"float", "double", "tilecc::bf16"};
    case DType::f32: return {"float", "double", "float"};
    case DType::f64: return {"float", "double", "double"};
    case DType::fp8e4m3: return {"float", "double", "tilecc::fp8e4m3"};
    case DType::fp8e5m2: return {"float", "double", "tilecc::fp8e5m2"};
    case DType::b1: return {"bool", "bool", "bool"};
    case DType::i8: return {"int", "std::int64_t", "std::int8_t"};
    case DType::u8: return {"int", "std::int64_t", "std::uint8_t"};
    case DType::i32: return {"int", "std::int64_t", "std::int32_t"};
    case DType::i64: return {"int", "std::int64_t", "std::int64_t"};
  }
  return {"", "", ""};
}

/// Refuses what one op cannot take: instances differing in their parameters or taking the same
/// dtypes, no tensor to take the device from.
void check_bindable(const std::vector<const ir::Kernel*>& instances) {
  const ir::Kernel& first = *instances[0];
  bool any_tensor = false;
  for (const ir::Param& p : first.params) any_tensor = any_tensor || p.is_tensor;
  if (!any_tensor)
    fail(first, "it has no tensor parameter, from which the PyTorch op would take its device",
         "give it a tensor parameter, or translate without --emit=torch");
  for (const ir::Kernel* k : instances) {
    bool same = k->params.size() == first.params.size();
    for (std::size_t i = 0; same && i < first.params.size(); ++i) {
      const ir::Param &a = first.params[i], &b = k->params[i];
      same = a.name == b.name && a.is_tensor == b.is_tensor && a.rank == b.rank && a.is_const == b.is_const &&
             (a.is_tensor || std::string(scalar_spelling(a.dtype).schema) == scalar_spelling(b.dtype).schema);
    }
    if (!same)
      fail(*k,
           fmt::format("instances {} and {} differ in their parameters (names, ranks, const or scalar kinds), "
                       "and one PyTorch op has one schema",
                       display_name(first), display_name(*k)),
           "give the instances the same parameter list (dtypes may differ), or translate without --emit=torch");
    for (const ir::Kernel* o : instances) {
      if (o == k) break;
      bool same_dtypes = true;
      for (std::size_t i = 0; i < k->params.size(); ++i)
        if (k->params[i].is_tensor && k->params[i].dtype != o->params[i].dtype) same_dtypes = false;
      if (same_dtypes)
        fail(*k,
             fmt::format("instances {} and {} take tensors of the same dtypes, so the PyTorch op could not "
                         "choose between them",
                         display_name(*o), display_name(*k)),
             "keep one of them, or translate without --emit=torch");
    }
  }
}

std::string alias_set(int i) { return i < 26 ? std::string(1, char('a' + i)) : fmt::format("z{}", i); }

std::string schema(const ir::Kernel& k) {
  std::string args;
  int mutable_tensors = 0;
  for (const ir::Param& p : k.params) {
    args += args.empty() ? "" : ", ";
    if (p.is_tensor)
      args += p.is_const ? "Tensor " + p.name : fmt::format("Tensor({}!) {}", alias_set(mutable_tensors++), p.name);
    else
      args += fmt::format("{} {}", scalar_spelling(p.dtype).schema, p.name);
  }
  return fmt::format("{}({}) -> ()", k.name, args);
}

/// The op function: checks, the device guard and stream, the instance its dtypes choose. Its
/// locals start with tilecc_, so that no kernel parameter of the same name hides them.
std::string op_function(const std::vector<const ir::Kernel*>& instances) {
  const ir::Kernel& k = *instances[0];
  std::vector<const ir::Param*> tensors;
  std::string params, instance_names;
  for (const ir::Param& p : k.params) {
    if (p.is_tensor) tensors.push_back(&p);
    params += params.empty() ? "" : ", ";
    params += p.is_tensor ? fmt::format("{}at::Tensor& {}", p.is_const ? "const " : "", p.name)
                          : fmt::format("{} {}", scalar_spelling(p.dtype).op_cpp, p.name);
  }
  for (const ir::Kernel* i : instances) instance_names += (instance_names.empty() ? "" : ", ") + display_name(*i);
  const ir::Param& first = *tensors[0];
  std::string out;
  out += fmt::format("// torch.ops.tilecc.{}: {}\n", schema(k), instance_names);
  out += fmt::format("void tilecc_op_{}({}) {{\n", k.name, params);
  out += fmt::format("  constexpr const char* tilecc_name = \"{}\";\n", k.name);
  for (const ir::Param* p : tensors)
    out += fmt::format("  tilecc::torch_ops::check_tensor(tilecc_name, \"{}\", {}, {}, {}, \"{}\", {});\n", p->name,
                       p->name, p->rank, first.name, first.name, p->is_const ? "false" : "true");
  out += fmt::format("  const c10::cuda::CUDAGuard tilecc_guard({}.device());\n", first.name);
  out += "  const cudaStream_t tilecc_stream = at::cuda::getCurrentCUDAStream();\n";
  out += "  tilecc::last_launch_message().clear();\n";
  out += "  cudaError_t tilecc_status = cudaSuccess;\n";
  std::string names, given, accepted;
  for (const ir::Param* p : tensors) {
    names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", p->name);
    given += fmt::format("{}{}.scalar_type()", given.empty() ? "" : ", ", p->name);
  }
  for (std::size_t i = 0; i < instances.size(); ++i) {
    const ir::Kernel& inst = *instances[i];
    const std::string callee = inst.instance.empty() ? inst.name : fmt::format("{}<{}>", inst.name, inst.instance);
    const std::string call = fmt::format("    tilecc_status = {}(", callee);
    const std::string arg_indent = ",\n" + std::string(call.size(), ' ');
    const std::string cond_indent = " &&\n" + std::string(i ? 11 : 6, ' ');  // under "  else if (" or "  if ("
    std::string condition, args, dtypes;
    for (const ir::Param& p : inst.params) {
      args += args.empty() ? "" : arg_indent;
      if (p.is_tensor) {
        condition +=
            fmt::format("{}{}.scalar_type() == {}", condition.empty() ? "" : cond_indent, p.name, scalar_type(p.dtype));
        dtypes += fmt::format("{}{}", dtypes.empty() ? "" : ", ", scalar_type(p.dtype));
        args += fmt::format("tilecc::torch_ops::view<{}>({})", launcher_param_type(p), p.name);
      } else {
        args += fmt::format("tilecc::torch_ops::scalar<{}>(tilecc_name, \"{}\", {})",
                            scalar_spelling(p.dtype).kernel_cpp, p.name, p.name);
      }
    }
    accepted += fmt::format("{}{{{}}}", accepted.empty() ? "" : ",\n" + std::string(36, ' '), dtypes);
    out += fmt::format("  {}if ({})\n", i ? "else " : "", condition);
    out += fmt::format("{}{}{}tilecc_stream);\n", call, args, arg_indent);
  }
  out += "  else\n";
  // The lists indented under the first (35 columns).
  out += fmt::format("    tilecc::torch_ops::no_instance(tilecc_name, {{{}}},\n{}{{{}}},\n{}{{{}}});\n", names,
                     std::string(35, ' '), given, std::string(35, ' '), accepted);
  out += "  tilecc::torch_ops::check_launch(tilecc_name, tilecc_status);\n";
  out += "}\n";
  return out;
}

}  // namespace

std::string emit_torch_bindings(const ir::Module& module) {
  // Kernels by name, in the order the names first appear: one op each.
  std::vector<std::vector<const ir::Kernel*>> ops;
  for (const ir::Kernel& k : module.kernels) {
    std::vector<const ir::Kernel*>* same = nullptr;
    for (std::vector<const ir::Kernel*>& o : ops)
      if (o[0]->name == k.name) same = &o;
    if (same)
      same->push_back(&k);
    else
      ops.push_back({&k});
  }
  for (const std::vector<const ir::Kernel*>& o : ops) check_bindable(o);

  std::string out;
  out += "\n// ---- PyTorch ops (tilecc translate --emit=torch): torch.ops.tilecc.<kernel>, each checking its\n";
  out += "// arguments and launching on the current CUDA stream. Outputs are passed in, as to the kernel.\n";
  out += "#include <tilecc/torch.hpp>\n\n";
  for (const std::vector<const ir::Kernel*>& o : ops) out += op_function(o) + "\n";
  out += "TORCH_LIBRARY_FRAGMENT(tilecc, m) {\n";
  for (const std::vector<const ir::Kernel*>& o : ops) out += fmt::format("  m.def(\"{}\");\n", schema(*o[0]));
  out += "}\n\n";
  // Every device: the op's own checks refuse tensors not on a CUDA device, by name.
  out += "TORCH_LIBRARY_IMPL(tilecc, CompositeExplicitAutograd, m) {\n";
  for (const std::vector<const ir::Kernel*>& o : ops)
    out += fmt::format("  m.impl(\"{}\", &tilecc_op_{});\n", o[0]->name, o[0]->name);
  out += "}\n\n";
  out += "// torch.utils.cpp_extension.load imports the library as a Python module; the ops need none.\n";
  out += "#ifdef TORCH_EXTENSION_NAME\n";
  out += "#include <torch/extension.h>\n";
  out += "PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) { m.doc() = \"tilecc ops: torch.ops.tilecc.<kernel>\"; }\n";
  out += "#endif\n";
  return out;
}

}  // namespace tilecc::codegen
