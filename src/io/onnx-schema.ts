// The part of ONNX's onnx.proto (package onnx, IR version ≤ 10) that an MLP graph uses, as a
// protobufjs JSON descriptor: message and field names, numbers and types exactly as onnx.proto
// declares them. protobufjs does the encoding and decoding; fields not listed here are skipped
// on decode (sparse tensors, training info, functions, non-tensor types).

import protobuf from 'protobufjs/light.js';

const repeated = (type: string, id: number, packed?: boolean) => ({ rule: 'repeated', type, id, ...(packed === undefined ? {} : { options: { packed } }) });

// NOTE: onnx.proto is proto2: repeated scalars are packed only where it says [packed = true]
// (TensorProto's *_data); dims, ints and floats are not. Decoders accept both wire forms.
const schema = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: repeated('OperatorSetIdProto', 8),
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: repeated('StringStringEntryProto', 14),
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: { type: 'string', id: 2 },
            initializer: repeated('TensorProto', 5),
            docString: { type: 'string', id: 10 },
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
            valueInfo: repeated('ValueInfoProto', 13),
          },
        },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: repeated('AttributeProto', 5),
            docString: { type: 'string', id: 6 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            refAttrName: { type: 'string', id: 21 },
            docString: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 }, // AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: repeated('float', 7, false),
            ints: repeated('int64', 8, false),
            strings: repeated('bytes', 9),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1, false),
            dataType: { type: 'int32', id: 2 }, // DataType: FLOAT 1, INT64 7, DOUBLE 11
            floatData: repeated('float', 4, true),
            int32Data: repeated('int32', 5, true),
            int64Data: repeated('int64', 7, true),
            name: { type: 'string', id: 8 },
            docString: { type: 'string', id: 12 },
            rawData: { type: 'bytes', id: 9 },
            externalData: repeated('StringStringEntryProto', 13),
            dataLocation: { type: 'int32', id: 14 },
            doubleData: repeated('double', 10, true),
          },
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, docString: { type: 'string', id: 3 } } },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { type: 'TypeProtoTensor', id: 1 }, denotation: { type: 'string', id: 6 } },
        },
        TypeProtoTensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
        TensorShapeProto: { fields: { dim: repeated('TensorShapeProtoDimension', 1) } },
        TensorShapeProtoDimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 }, denotation: { type: 'string', id: 3 } },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);
/** onnx.ModelProto: encode with ModelProto.encode(ModelProto.fromObject(obj)).finish(), decode with ModelProto.decode. */
export const ModelProto = root.lookupType('onnx.ModelProto');

export const DataType = { FLOAT: 1, INT64: 7, DOUBLE: 11 } as const;
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;
