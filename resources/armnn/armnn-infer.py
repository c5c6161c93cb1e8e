#!/usr/bin/python3
"""Runs a .tflite model in Arm NN (Debian's python3-pyarmnn, the CpuRef backend) on many inputs.

    /usr/bin/python3 resources/armnn/armnn-infer.py MODEL.tflite INPUTS.bin OUTPUTS.bin

INPUTS.bin holds the model's input tensors back to back, as raw bytes of its input type (int8 for
TinyLoop's models); OUTPUTS.bin gets the output tensors the same way. One process runs them all,
so the tests pay Arm NN's start-up once. The tests of src-main/tflite/ compare these bytes with
our interpreter's and LiteRT.js's (docs/tflite.md).
"""
import sys

import numpy as np
import pyarmnn as ann


def main(model_path, inputs_path, outputs_path):
    parser = ann.ITfLiteParser()
    network = parser.CreateNetworkFromBinaryFile(model_path)
    input_name = parser.GetSubgraphInputTensorNames(0)[0]
    output_name = parser.GetSubgraphOutputTensorNames(0)[0]
    input_binding = parser.GetNetworkInputBindingInfo(0, input_name)
    output_binding = parser.GetNetworkOutputBindingInfo(0, output_name)
    runtime = ann.IRuntime(ann.CreationOptions())
    optimized, _ = ann.Optimize(
        network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(), ann.OptimizerOptions()
    )
    network_id, _ = runtime.LoadNetwork(optimized)

    info = input_binding[1]
    dtype = {ann.DataType_QAsymmS8: np.int8, ann.DataType_QAsymmU8: np.uint8,
             ann.DataType_QSymmS8: np.int8, ann.DataType_Float32: np.float32}[info.GetDataType()]
    shape = [info.GetShape()[i] for i in range(info.GetNumDimensions())]
    inputs = np.fromfile(inputs_path, dtype=dtype).reshape([-1] + shape)
    results = []
    for window in inputs:
        input_tensors = ann.make_input_tensors([input_binding], [window])
        output_tensors = ann.make_output_tensors([output_binding])
        runtime.EnqueueWorkload(network_id, input_tensors, output_tensors)
        results.append(ann.workload_tensors_to_ndarray(output_tensors)[0].copy())
    np.concatenate([r.reshape(-1) for r in results]).tofile(outputs_path)


if __name__ == "__main__":
    main(*sys.argv[1:4])
